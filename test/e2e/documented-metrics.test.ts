import { credentials, makeGenericClientConstructor, Metadata, type ServiceDefinition } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotesServiceDefinition } from '../../examples/notes/src/notes-service';
import { callError, unaryCall } from '../support/grpc-call';
import { metricsOf } from './observability-doc';
import { startSpawnedCluster, type SpawnedCluster } from './spawned-cluster';
import type { SpawnedService } from '../support/spawned-service';

const password = 'Metr1cs-for-everyone!';

/** The exposition text of a service's /metrics. */
async function scrape(service: SpawnedService): Promise<string> {
  const response = await fetch(`${service.opsUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one sample, e.g. sampleOf(text, 'auth_logins_total{outcome="success"}'), or undefined. */
function sampleOf(text: string, series: string): number | undefined {
  const [name, labels = ''] = series.split('{');
  const wanted = labels.replace(/}$/, '').split(',').filter(Boolean);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

// The built services as separate processes on real PostgreSQL and Redis, each driven once (a login
// that fails, one that succeeds, a Summarize through the example), then scraped: every metric
// docs/observability.md lists for a service must be on its /metrics with the documented type.
describe('the metrics documented in docs/observability.md', () => {
  let cluster: SpawnedCluster;
  const scraped = new Map<string, string>();

  beforeAll(async () => {
    cluster = await startSpawnedCluster({ health: true });
    const auth = new authV1.AuthServiceClient(cluster.auth.address, credentials.createInsecure());
    const email = 'metrics@example.com';
    await unaryCall<authV1.RegisterRequest, authV1.RegisterResponse>(
      auth,
      auth.register,
      { email, password, displayName: 'M' },
      new Metadata(),
    );
    await callError(unaryCall(auth, auth.login, { email, password: `${password}-wrong` }, new Metadata()));
    const pair = await unaryCall<authV1.LoginRequest, authV1.TokenPair>(
      auth,
      auth.login,
      { email, password },
      new Metadata(),
    );
    const bearer = new Metadata();
    bearer.set('authorization', `Bearer ${pair.accessToken}`);
    const { apiKey } = await unaryCall<authV1.CreateApiKeyRequest, authV1.CreateApiKeyResponse>(
      auth,
      auth.createApiKey,
      { name: 'metrics', scopes: ['notes:read'], ttlSeconds: 0n, userId: '' },
      bearer,
    );
    auth.close();

    const Notes = makeGenericClientConstructor(
      NotesServiceDefinition as unknown as ServiceDefinition,
      'Notes',
    );
    const notes = new Notes(cluster.notes.address, credentials.createInsecure());
    const withKey = new Metadata();
    withKey.set('x-api-key', apiKey);
    await new Promise<void>((resolve, reject) =>
      notes.makeUnaryRequest(
        NotesServiceDefinition.summarize.path,
        NotesServiceDefinition.summarize.requestSerialize,
        NotesServiceDefinition.summarize.responseDeserialize,
        {},
        withKey,
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    notes.close();
    for (const service of [
      cluster.auth,
      cluster.rateLimit,
      cluster.costBudget,
      cluster.health!,
      cluster.notes,
    ]) {
      scraped.set(service.name, await scrape(service));
    }
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it.each(['auth', 'rate-limit', 'cost-budget', 'health', 'notes'])(
    '%s serves every metric its tables list',
    (name) => {
      const text = scraped.get(name)!;
      const documented = metricsOf(name);
      expect(documented.length).toBeGreaterThan(5);
      const missing = documented
        .filter(({ name: metric, type }) => !text.includes(`\n# TYPE ${metric} ${type}\n`))
        .map(({ name: metric, type }) => `${metric} (${type})`);
      expect(missing).toEqual([]);
    },
  );

  it('counts the logins and the verification they drove', () => {
    const text = scraped.get('auth')!;
    expect(sampleOf(text, 'auth_logins_total{outcome="success"}')).toBe(1);
    expect(sampleOf(text, 'auth_logins_total{outcome="failure"}')).toBe(1);
    expect(sampleOf(text, 'auth_logins_total{outcome="locked"}')).toBe(0);
    expect(sampleOf(text, 'auth_verifications_total{credential="api_key",cache="miss",result="valid"}')).toBe(
      1,
    );
    expect(
      sampleOf(text, 'store_operation_seconds_count{store="postgres",operation="query"}'),
    ).toBeGreaterThan(0);
    expect(sampleOf(text, 'store_operation_seconds_count{store="redis",operation="exists"}')).toBeGreaterThan(
      0,
    );
  });

  it('counts the rate-limit decision of the call per rule, and the budget it spent per scope kind', () => {
    expect(
      sampleOf(
        scraped.get('rate-limit')!,
        'ratelimit_decisions_total{domain="gatehouse",rule="api-key-default",outcome="allowed"}',
      ),
    ).toBe(1);
    const budget = scraped.get('cost-budget')!;
    expect(sampleOf(budget, 'budget_reserved_micros_total{scope_kind="user"}')).toBe(5000);
    expect(sampleOf(budget, 'budget_spent_micros_total{scope_kind="user"}')).toBe(100);
    expect(sampleOf(budget, 'budget_spent_micros_total{scope_kind="global"}')).toBe(100);
  });

  it('shows the cluster serving in the health gauges', () => {
    const text = scraped.get('health')!;
    expect(sampleOf(text, 'health_cluster_status{status="SERVING"}')).toBe(1);
    expect(sampleOf(text, 'health_component_status{component="auth",kind="grpc",status="SERVING"}')).toBe(1);
  });
});
