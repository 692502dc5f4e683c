import { createServer } from 'node:net';
import { authV1, serviceNames } from '@gatehouse/contracts';
import { createLogger, hostedService, startServiceHost, type ServiceHost } from '@gatehouse/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../../../../test/support/free-ports';
import { testCommonConfig } from '../../../../test/support/test-config';
import { serviceTarget } from './service-target';
import type { ProbeResult, Target } from './target';

const started: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of started.splice(0)) await item.stop();
});

/** Probes every 100 ms until the target serves; resolves with how long that took and the last result. */
async function probeUntilServing(
  target: Target,
  limitMs: number,
): Promise<{ ms: number; result: ProbeResult }> {
  const begun = Date.now();
  let result: ProbeResult = await target.probe(500);
  while (result.status !== 'SERVING' && Date.now() - begun < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    result = await target.probe(500);
  }
  return { ms: Date.now() - begun, result };
}

describe('serviceTarget', () => {
  it('sees a peer that came up late within its reconnect backoff, not grpc-js default minutes', async () => {
    const [grpcPort, opsPort] = await freePorts(2);
    const target = serviceTarget(
      {
        name: 'auth',
        grpcService: serviceNames.auth,
        grpcAddress: `127.0.0.1:${grpcPort}`,
        opsUrl: `http://127.0.0.1:${opsPort}`,
      },
      { maxReconnectBackoffMs: 200 },
    );
    started.push({ stop: () => target.close() });
    // For 3 s the port takes each connection and drops it at once, counting the attempts. Bounded at
    // 200 ms, the target retries about every 200 ms; grpc-js's own backoff (1 s, then x1.6 each)
    // would try 3 times, and a peer that came up after a slow start would wait up to 2 minutes.
    let attempts = 0;
    const dropper = createServer((socket) => {
      attempts += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropper.listen(grpcPort, '127.0.0.1', resolve));
    const droppingUntil = Date.now() + 3000;
    let refused: ProbeResult | undefined;
    while (Date.now() < droppingUntil) {
      refused = await target.probe(500);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => dropper.close(resolve));
    expect(refused?.status).toBe('NOT_SERVING');
    expect(attempts).toBeGreaterThanOrEqual(8);

    const host: ServiceHost = await startServiceHost({
      config: testCommonConfig({ GRPC_PORT: String(grpcPort), OPS_PORT: String(opsPort) }),
      logger: createLogger({ service: 'test', level: 'silent' }),
      services: [hostedService(serviceNames.auth, authV1.AuthServiceService, {})],
    });
    started.push({ stop: () => host.shutdown() });
    const { ms, result } = await probeUntilServing(target, 8000);
    expect(result).toEqual({ status: 'SERVING', detail: 'serving' });
    expect(ms).toBeLessThan(1000);
  });
});
