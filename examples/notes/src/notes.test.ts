import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type Client,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { authV1, budgetV1, grpcHealthV1 } from '@gatehouse/contracts';
import { createLogger, readErrorDetails, type ServiceHost } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  goodPassword,
  signUp as signUpUser,
  startAuth,
  type StartedAuth,
} from '../../../services/auth/src/test-support/start-auth';
import {
  startBudgetTestService,
  user as userScope,
  type BudgetTestService,
} from '../../../services/cost-budget/src/test-support/budget-test-service';
import {
  startRateLimit,
  type RateLimitUnderTest,
} from '../../../services/rate-limit/src/test-support/start-rate-limit';
import { startNotesApp } from './app';
import { readNotesConfig } from './config';
import { NotesServiceDefinition, type Note, type SummarizeResponse } from './notes-service';

const shippedRules = readFileSync(
  join(__dirname, '..', '..', '..', 'services', 'rate-limit', 'config', 'gatehouse.yaml'),
  'utf8',
);
const admin = { email: 'admin@example.com', password: goodPassword };

type MethodName = keyof typeof NotesServiceDefinition;

describe('the notes example behind authenticate, rateLimit and withBudget', () => {
  let auth: StartedAuth;
  let limits: RateLimitUnderTest;
  let budgets: BudgetTestService;
  let notes: ServiceHost;
  let client: Client;
  let adminToken: string;

  const call = <Res>(method: MethodName, request: object, metadata = new Metadata()) =>
    new Promise<{ response: Res; headers: Metadata }>((resolve, reject) => {
      let headers = new Metadata();
      const definition = NotesServiceDefinition[method];
      const pending = client.makeUnaryRequest(
        definition.path,
        (value: object) => Buffer.from(JSON.stringify(value)),
        (bytes: Buffer) => JSON.parse(bytes.toString()) as Res,
        request,
        metadata,
        (error: ServiceError | null, response?: Res) =>
          error ? reject(error) : resolve({ response: response!, headers }),
      );
      pending.on('metadata', (received: Metadata) => {
        headers = received;
      });
    });

  const refused = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a refusal');
      },
      (error: ServiceError) => error,
    );

  const bearer = (token: string) => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    return metadata;
  };

  const signUp = (email: string) => signUpUser(auth, email);

  const setBudget = (userId: string, limitMicros: bigint) =>
    budgets.call.setBudget(
      { scope: userScope(userId), limitMicros, period: budgetV1.Period.PERIOD_DAILY },
      adminToken,
    );

  beforeAll(async () => {
    auth = await startAuth({
      backend: 'embedded',
      env: {
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: admin.email,
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      },
    });
    limits = await startRateLimit({ rules: shippedRules });
    budgets = await startBudgetTestService({ backend: 'embedded', authAddress: auth.address });
    const config = readNotesConfig({
      GRPC_HOST: '127.0.0.1',
      OPS_HOST: '127.0.0.1',
      NOTES_GRPC_PORT: '0',
      NOTES_OPS_PORT: '0',
      LOG_LEVEL: 'silent',
      SHUTDOWN_GRACE_MS: '1000',
      NOTES_AUTH_ADDR: auth.address,
      NOTES_RATE_LIMIT_ADDR: limits.address,
      NOTES_BUDGET_ADDR: `127.0.0.1:${budgets.service.host.grpcPort}`,
      NOTES_RATE_LIMIT_TIMEOUT_MS: '1000',
      NOTES_MAX_PER_AUTHOR: '2',
    });
    notes = await startNotesApp(config, createLogger({ service: 'notes', level: 'silent' }));
    const Notes = makeGenericClientConstructor(
      NotesServiceDefinition as unknown as ServiceDefinition,
      'Notes',
    );
    client = new Notes(`127.0.0.1:${notes.grpcPort}`, credentials.createInsecure());
    adminToken = (await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', admin)).accessToken;
  });

  afterAll(async () => {
    client?.close();
    await notes?.shutdown();
    await budgets?.stop();
    await limits?.stop();
    await auth?.stop();
  });

  it('refuses a call without a credential UNAUTHENTICATED, but health needs none', async () => {
    const error = await refused(call('listNotes', {}));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    const health = new grpcHealthV1.HealthClient(`127.0.0.1:${notes.grpcPort}`, credentials.createInsecure());
    const answer = await new Promise<grpcHealthV1.HealthCheckResponse>((resolve, reject) =>
      health.check({ service: '' }, (failure, response) => (failure ? reject(failure) : resolve(response))),
    );
    health.close();
    expect(answer.status).toBe(grpcHealthV1.HealthCheckResponse_ServingStatus.SERVING);
  });

  it('serves a signed-in user their own notes, with x-ratelimit-* headers', async () => {
    const ann = await signUp('ann@example.com');
    const added = await call<{ note: Note }>('addNote', { text: 'buy milk' }, bearer(ann.token));
    expect(added.response.note.author).toBe(ann.userId);
    const listed = await call<{ notes: Note[] }>('listNotes', {}, bearer(ann.token));
    expect(listed.response.notes.map((note) => note.text)).toEqual(['buy milk']);
    expect(Number(listed.headers.get('x-ratelimit-limit')[0])).toBeGreaterThan(0);
    expect(listed.headers.get('x-ratelimit-remaining')).toHaveLength(1);
    expect(listed.headers.get('x-ratelimit-reset')).toHaveLength(1);
    expect(listed.headers.get('x-request-id')).toHaveLength(1);
  });

  it('keeps the newest NOTES_MAX_PER_AUTHOR notes of each author', async () => {
    const frank = await signUp('frank@example.com');
    for (const text of ['first', 'second', 'third']) await call('addNote', { text }, bearer(frank.token));
    const listed = await call<{ notes: Note[] }>('listNotes', {}, bearer(frank.token));
    expect(listed.response.notes.map((note) => note.text)).toEqual(['third', 'second']);
  });

  it('refuses an API key without notes:write PERMISSION_DENIED', async () => {
    const bob = await signUp('bob@example.com');
    const { apiKey } = await auth.call<authV1.CreateApiKeyRequest, authV1.CreateApiKeyResponse>(
      'createApiKey',
      { name: 'reader', scopes: ['notes:read'], ttlSeconds: 0n, userId: '' },
      { bearer: bob.token },
    );
    const metadata = new Metadata();
    metadata.set('x-api-key', apiKey);
    expect((await call<{ notes: Note[] }>('listNotes', {}, metadata)).response.notes).toEqual([]);
    const error = await refused(call('addNote', { text: 'x' }, metadata));
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(readErrorDetails(error.metadata).reason).toBe('MISSING_SCOPE');
  });

  it('refuses past the shipped per-user-and-method limit (20/min) RESOURCE_EXHAUSTED with retry-after', async () => {
    const carol = await signUp('carol@example.com');
    for (let attempt = 0; attempt < 20; attempt += 1) await call('listNotes', {}, bearer(carol.token));
    const error = await refused(call('listNotes', {}, bearer(carol.token)));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(Number(error.metadata.get('retry-after')[0])).toBeGreaterThanOrEqual(1);
    expect(error.metadata.get('x-ratelimit-remaining')[0]).toBe('0');
  });

  it('charges Summarize to the caller budget, and refuses it RESOURCE_EXHAUSTED when the budget is spent', async () => {
    const dave = await signUp('dave@example.com');
    await setBudget(dave.userId, 1_000_000n);
    await call('addNote', { text: 'one two three four five six' }, bearer(dave.token));
    const { response } = await call<SummarizeResponse>('summarize', {}, bearer(dave.token));
    expect(response.summary).toBe('one two three four five');
    expect(response.costMicros).toBe(100);
    const spent = await budgets.call.getBudget({ scope: userScope(dave.userId) }, adminToken);
    expect(spent.spentMicros).toBe(100n);
    expect(spent.reservedMicros).toBe(0n);

    const erin = await signUp('erin@example.com');
    await setBudget(erin.userId, 4000n); // below the 5000-micro reservation
    const error = await refused(call('summarize', {}, bearer(erin.token)));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
  });
});
