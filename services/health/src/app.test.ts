import { credentials, Metadata } from '@grpc/grpc-js';
import { healthV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unaryCall } from '../../../test/support/grpc-call';
import { startWatchedCluster, type WatchedCluster } from './test-support/watched-cluster';

const { HealthStatus } = healthV1;
let cluster: WatchedCluster;
let client: healthV1.HealthServiceClient;

beforeAll(async () => {
  cluster = await startWatchedCluster();
  client = new healthV1.HealthServiceClient(
    `127.0.0.1:${cluster.health.grpcPort}`,
    credentials.createInsecure(),
  );
});
afterAll(async () => {
  client.close();
  await cluster.stop();
});

const clusterHealth = (): Promise<healthV1.GetClusterHealthResponse> =>
  unaryCall(client, client.getClusterHealth, {}, new Metadata());

async function summary() {
  const response = await clusterHealth();
  return {
    status: response.status,
    components: Object.fromEntries(response.components.map((c) => [c.name, c.status])),
  };
}

describe('the health service', () => {
  it('reports every component SERVING with kind, latency, times and criticality', async () => {
    const response = await clusterHealth();
    expect(response.status).toBe(HealthStatus.HEALTH_STATUS_SERVING);
    expect(response.components.map((c) => [c.name, c.kind, c.critical, c.status])).toEqual([
      ['auth', 'grpc', true, HealthStatus.HEALTH_STATUS_SERVING],
      ['postgres', 'postgres', false, HealthStatus.HEALTH_STATUS_SERVING],
      ['redis', 'redis', false, HealthStatus.HEALTH_STATUS_SERVING],
    ]);
    for (const component of response.components) {
      expect(component.latencyMs).toBeGreaterThanOrEqual(0);
      expect(component.checkedAt?.getTime()).toBeGreaterThan(Date.now() - 10_000);
      expect(component.since).toBeInstanceOf(Date);
    }
  });

  it('is DEGRADED, not down, while Redis is unreachable, and recovers by itself', async () => {
    await cluster.redisProxy.stop();
    await expect.poll(summary, { timeout: 5000 }).toMatchObject({
      status: HealthStatus.HEALTH_STATUS_DEGRADED,
      components: { redis: HealthStatus.HEALTH_STATUS_NOT_SERVING, auth: HealthStatus.HEALTH_STATUS_SERVING },
    });
    await cluster.redisProxy.restart();
    await expect
      .poll(summary, { timeout: 8000 })
      .toMatchObject({ status: HealthStatus.HEALTH_STATUS_SERVING });
  });

  it('shows a service answering under a failure policy as DEGRADED with the reason', async () => {
    cluster.faults.cacheDown = true;
    await expect
      .poll(summary, { timeout: 5000 })
      .toMatchObject({ status: HealthStatus.HEALTH_STATUS_DEGRADED });
    const auth = (await clusterHealth()).components.find((c) => c.name === 'auth');
    expect(auth).toMatchObject({
      status: HealthStatus.HEALTH_STATUS_DEGRADED,
      detail: 'redis: Connection is closed.',
    });
    cluster.faults.cacheDown = false;
    await expect
      .poll(summary, { timeout: 5000 })
      .toMatchObject({ status: HealthStatus.HEALTH_STATUS_SERVING });
  });

  it('is NOT_SERVING when a critical service loses a critical dependency', async () => {
    cluster.faults.databaseDown = true;
    await expect
      .poll(summary, { timeout: 5000 })
      .toMatchObject({ status: HealthStatus.HEALTH_STATUS_NOT_SERVING });
    // The reason comes from the service's /readyz, fetched beside its gRPC status: on a loaded
    // machine one probe's fetch can time out, so the next probe's detail is awaited.
    const authDetail = async () => (await clusterHealth()).components.find((c) => c.name === 'auth')?.detail;
    await expect
      .poll(authDetail, { timeout: 5000 })
      .toBe('NOT_SERVING (postgres: connect ECONNREFUSED 10.0.0.9:5432)');
    cluster.faults.databaseDown = false;
    await expect
      .poll(summary, { timeout: 5000 })
      .toMatchObject({ status: HealthStatus.HEALTH_STATUS_SERVING });
  });

  it('streams a snapshot at once, one on each change, and heartbeats in between', async () => {
    const messages: healthV1.WatchClusterHealthResponse[] = [];
    const call = client.watchClusterHealth({ heartbeatMs: 200 });
    call.on('data', (message: healthV1.WatchClusterHealthResponse) => messages.push(message));
    call.on('error', () => undefined);
    await expect.poll(() => messages.filter((m) => m.heartbeat).length, { timeout: 3000 }).toBeGreaterThan(0);
    cluster.faults.databaseDown = true;
    await expect
      .poll(() => messages.some((m) => !m.heartbeat && m.status === HealthStatus.HEALTH_STATUS_NOT_SERVING), {
        timeout: 5000,
      })
      .toBe(true);
    cluster.faults.databaseDown = false;
    call.cancel();
    expect(messages[0]).toMatchObject({ heartbeat: false, status: HealthStatus.HEALTH_STATUS_SERVING });
  });
});
