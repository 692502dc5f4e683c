import { credentials, makeGenericClientConstructor, Metadata, type ServiceDefinition } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotesServiceDefinition, type SummarizeResponse } from '../../examples/notes/src/notes-service';
import { unaryCall } from '../support/grpc-call';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';
import { startSpawnedCluster, type SpawnedCluster } from './spawned-cluster';
import type { SpawnedService } from '../support/spawned-service';

const password = 'Tr4ce-the-whole-chain!';
const serverKind = 2;
const clientKind = 3;

/** The RPCs the notes example makes for one Summarize with an API key, and who serves them. */
const chain = [
  { method: 'gatehouse.auth.v1.AuthService/Authenticate', server: 'gatehouse-auth' },
  { method: 'gatehouse.ratelimit.v1.RateLimitService/CheckLimit', server: 'gatehouse-rate-limit' },
  { method: 'gatehouse.budget.v1.CostBudgetService/Reserve', server: 'gatehouse-cost-budget' },
  { method: 'gatehouse.budget.v1.CostBudgetService/Commit', server: 'gatehouse-cost-budget' },
] as const;

// The built services and the example, each its own process exporting OTLP/HTTP to a local receiver,
// on real PostgreSQL and Redis; one Summarize call with an API key (always verified remotely).
describe('one Summarize call through the notes example, traced across the cluster', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let cluster: SpawnedCluster;
  const secrets = { password, apiKey: '', accessToken: '', refreshToken: '' };
  let userId = '';
  let summary: SummarizeResponse;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    cluster = await startSpawnedCluster({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    const auth = new authV1.AuthServiceClient(cluster.auth.address, credentials.createInsecure());
    const email = 'tracy@example.com';
    ({ userId } = await unaryCall<authV1.RegisterRequest, authV1.RegisterResponse>(
      auth,
      auth.register,
      { email, password, displayName: 'T' },
      new Metadata(),
    ));
    const pair = await unaryCall<authV1.LoginRequest, authV1.TokenPair>(
      auth,
      auth.login,
      { email, password },
      new Metadata(),
    );
    secrets.accessToken = pair.accessToken;
    secrets.refreshToken = pair.refreshToken;
    const bearer = new Metadata();
    bearer.set('authorization', `Bearer ${pair.accessToken}`);
    const created = await unaryCall<authV1.CreateApiKeyRequest, authV1.CreateApiKeyResponse>(
      auth,
      auth.createApiKey,
      { name: 'trace', scopes: ['notes:read'], ttlSeconds: 0n, userId: '' },
      bearer,
    );
    secrets.apiKey = created.apiKey;
    auth.close();

    const Notes = makeGenericClientConstructor(
      NotesServiceDefinition as unknown as ServiceDefinition,
      'Notes',
    );
    const notes = new Notes(cluster.notes.address, credentials.createInsecure());
    const withKey = new Metadata();
    withKey.set('x-api-key', secrets.apiKey);
    summary = await new Promise<SummarizeResponse>((resolve, reject) =>
      notes.makeUnaryRequest(
        NotesServiceDefinition.summarize.path,
        NotesServiceDefinition.summarize.requestSerialize,
        NotesServiceDefinition.summarize.responseDeserialize,
        {},
        withKey,
        (error, response) => (error ? reject(error) : resolve(response!)),
      ),
    );
    notes.close();
    // Stopping drains each process and flushes its batched spans before it exits.
    await cluster.stop();
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await receiver?.close();
  });

  // Server spans of the chain have a parent (the example's client span); the warm-up's have none.
  const spanOf = (service: string, kind: number, method: string): ReceivedSpan => {
    const found = receiver.spans.filter(
      (s) =>
        s.service === service &&
        s.kind === kind &&
        s.name === `grpc.${method}` &&
        (service === 'gatehouse-notes' || s.parentSpanId !== ''),
    );
    expect(
      found.map((s) => s.name),
      `${service} ${kind} ${method}`,
    ).toEqual([`grpc.${method}`]);
    return found[0]!;
  };
  const summarize = () =>
    spanOf('gatehouse-notes', serverKind, 'gatehouse.examples.notes.v1.NotesService/Summarize');
  // The call's lines: the warm-up's carry a trace id of their own.
  const rpcLine = (service: SpawnedService, method: string, span: ReceivedSpan) => {
    const lines = service
      .logLines()
      .filter((line) => line.msg === 'rpc' && line.method === `/${method}` && line.span_id === span.spanId);
    expect(lines, `${service.name} ${method}`).toHaveLength(1);
    return lines[0]!;
  };

  it('served the call, charging its actual cost', () => {
    expect(summary).toEqual({ summary: '', costMicros: 100 });
  });

  it('is one trace: each RPC of the chain is a client span of the Summarize server span', () => {
    const root = summarize();
    expect(root.parentSpanId).toBe('');
    for (const { method } of chain) {
      const client = spanOf('gatehouse-notes', clientKind, method);
      expect({ method, traceId: client.traceId, parent: client.parentSpanId }).toEqual({
        method,
        traceId: root.traceId,
        parent: root.spanId,
      });
    }
  });

  it('parents each server span to the client span of the same RPC', () => {
    for (const { method, server } of chain) {
      const client = spanOf('gatehouse-notes', clientKind, method);
      const served = spanOf(server, serverKind, method);
      expect({ method, traceId: served.traceId, parent: served.parentSpanId }).toEqual({
        method,
        traceId: client.traceId,
        parent: client.spanId,
      });
    }
  });

  it('has PostgreSQL and Redis spans inside the server spans of the services that use them', () => {
    const storesUnder = (service: string, method: string) => {
      const served = spanOf(service, serverKind, method);
      const children = receiver.spans.filter((s) => s.parentSpanId === served.spanId);
      return [...new Set(children.map((s) => String(s.attributes['db.system.name'])))].sort();
    };
    expect(storesUnder('gatehouse-auth', chain[0].method)).toEqual(['postgresql']);
    expect(storesUnder('gatehouse-rate-limit', chain[1].method)).toEqual(['redis']);
    expect(storesUnder('gatehouse-cost-budget', chain[2].method)).toEqual(['postgresql', 'redis']);
    expect(storesUnder('gatehouse-cost-budget', chain[3].method)).toEqual(['postgresql', 'redis']);
  });

  it('records the principal subject, the rate-limit decision and the budget outcome as span attributes', () => {
    expect(summarize().attributes['gatehouse.auth.subject']).toBe(userId);
    const authenticated = spanOf('gatehouse-auth', serverKind, chain[0].method).attributes;
    expect(authenticated['gatehouse.auth.subject']).toBe(userId);
    expect(authenticated['gatehouse.auth.principal_kind']).toBe('PRINCIPAL_KIND_API_KEY');

    const decided = spanOf('gatehouse-rate-limit', serverKind, chain[1].method).attributes;
    expect(decided['gatehouse.ratelimit.domain']).toBe('gatehouse');
    expect(decided['gatehouse.ratelimit.allowed']).toBe(true);
    expect(decided['gatehouse.ratelimit.fallback']).toBe(false);
    expect(decided['gatehouse.ratelimit.rules']).toEqual([
      'user-free-per-minute',
      'method-other',
      'api-key-default',
    ]);

    const reserved = spanOf('gatehouse-cost-budget', serverKind, chain[2].method).attributes;
    const committed = spanOf('gatehouse-cost-budget', serverKind, chain[3].method).attributes;
    expect(reserved['gatehouse.budget.outcome']).toBe('reserved');
    expect(reserved['gatehouse.budget.amount_micros']).toBe('5000');
    expect(committed['gatehouse.budget.outcome']).toBe('committed');
    expect(committed['gatehouse.budget.amount_micros']).toBe('100');
    expect(committed['gatehouse.budget.reservation_id']).toBe(reserved['gatehouse.budget.reservation_id']);
  });

  it('logs one line per RPC of the call, inside its server span and with the trace id of the call', () => {
    const root = summarize();
    const lines = [
      { service: cluster.notes, method: 'gatehouse.examples.notes.v1.NotesService/Summarize', span: root },
      ...chain.map(({ method, server }) => ({
        service: [cluster.auth, cluster.rateLimit, cluster.costBudget].find(
          (s) => `gatehouse-${s.name}` === server,
        )!,
        method,
        span: spanOf(server, serverKind, method),
      })),
    ];
    for (const { service, method, span } of lines) {
      expect({ method, trace_id: rpcLine(service, method, span).trace_id }).toEqual({
        method,
        trace_id: root.traceId,
      });
    }
  });

  it('logs the principal subject on the lines of the example and of Authenticate', () => {
    const summarized = rpcLine(
      cluster.notes,
      'gatehouse.examples.notes.v1.NotesService/Summarize',
      summarize(),
    );
    expect(summarized.principal_subject).toBe(userId);
    const authenticated = spanOf('gatehouse-auth', serverKind, chain[0].method);
    expect(rpcLine(cluster.auth, chain[0].method, authenticated).principal_subject).toBe(userId);
  });

  it('never puts the password, the API key or a token in a span attribute or a log line', () => {
    const exported = JSON.stringify(receiver.spans);
    const logged = cluster.all.map((service) => service.output()).join('\n');
    expect(receiver.spans.length).toBeGreaterThan(20);
    expect(logged).toContain(userId);
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThan(8);
      expect(exported.includes(secret), `${name} in a span`).toBe(false);
      expect(logged.includes(secret), `${name} in a log line`).toBe(false);
    }
  });
});
