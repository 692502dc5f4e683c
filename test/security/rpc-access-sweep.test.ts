import { Metadata, type Client } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authV1, budgetV1 } from '@gatehouse/contracts';
import { clusterUser, startTestCluster, type TestCluster } from '../support/cluster';
import { rawCall, rawClient } from '../support/raw-call';
import { encodeRequest, rpcCatalog, type ServiceKey } from '../support/rpc-catalog';

type Caller = 'none' | 'user' | 'admin';
type Expected = Record<Caller, string>;

/** What each caller must get from each RPC, given the request built for it below. */
const same = (code: string): Expected => ({ none: code, user: code, admin: code });
const signedIn = (user: string, admin = user): Expected => ({ none: 'UNAUTHENTICATED', user, admin });
const adminOnly: Expected = { none: 'UNAUTHENTICATED', user: 'PERMISSION_DENIED', admin: 'OK' };

/** Facts the request builders need: the plain user's id and a fresh reservation per call. */
interface Facts {
  userId: string;
  /** A third account whose sessions Refresh and Logout use: logging out revokes the caller's own token. */
  sessionUser: { email: string; password: string };
  cluster: TestCluster;
  unique(): string;
}

type RequestBuilder = (facts: Facts) => Promise<Record<string, unknown>> | Record<string, unknown>;

const ownScope = (facts: Facts) => ({ kind: 'SCOPE_KIND_USER', id: facts.userId });
const reservation = async (facts: Facts) =>
  (
    await facts.cluster.budget.call.reserve({
      idempotencyKey: facts.unique(),
      scopes: [{ kind: budgetV1.ScopeKind.SCOPE_KIND_USER, id: facts.userId }],
      amountMicros: 10n,
    })
  ).reservationId;

/**
 * The expected table: every RPC of every service, keyed "Service/Method". The catalog comes from
 * the contracts, so an RPC missing here fails the sweep instead of going unchecked.
 * Public RPCs answer anyone; the rate-limit and cost-budget spend RPCs are service-to-service
 * calls trusted at the network level (docs/cost-budget.md, docs/rate-limit.md).
 */
const table: Record<string, { request: RequestBuilder; expected: Expected }> = {
  'AuthService/Register': {
    request: (f) => ({
      email: `${f.unique()}@sweep.test`,
      password: clusterUser.password,
      display_name: 'S',
    }),
    expected: same('OK'),
  },
  'AuthService/Login': { request: () => ({ ...clusterUser }), expected: same('OK') },
  'AuthService/Refresh': {
    request: async (f) => ({ refresh_token: (await login(f)).refreshToken }),
    expected: same('OK'),
  },
  'AuthService/Logout': {
    request: async (f) => ({ refresh_token: (await login(f)).refreshToken }),
    expected: same('OK'),
  },
  'AuthService/ChangePassword': {
    // A wrong current password: proves the RPC is reachable without changing anything.
    request: () => ({ current_password: 'not-the-password-1A!', new_password: 'An0ther-Good-Passw0rd!' }),
    expected: signedIn('PERMISSION_DENIED'),
  },
  'AuthService/Authenticate': {
    request: (f) => ({ bearer_token: f.cluster.tokens.user }),
    expected: same('OK'),
  },
  'AuthService/WhoAmI': { request: () => ({}), expected: signedIn('OK') },
  'AuthService/CreateApiKey': { request: (f) => ({ name: f.unique() }), expected: signedIn('OK') },
  'AuthService/ListApiKeys': { request: () => ({}), expected: signedIn('OK') },
  'AuthService/RevokeApiKey': {
    request: () => ({ key_id: 'key_does_not_exist' }),
    expected: signedIn('NOT_FOUND'),
  },
  'AuthService/GetJwks': { request: () => ({}), expected: same('OK') },
  // Open to any caller like GetJwks (auth_service.proto): local token verifiers read it.
  'AuthService/WatchRevocations': { request: () => ({}), expected: same('OK') },
  'AuthService/ListUsers': { request: () => ({}), expected: adminOnly },
  'AuthService/SetUserRoles': {
    request: (f) => ({ user_id: f.userId, roles: ['user'] }),
    expected: adminOnly,
  },
  'AuthService/SetUserTier': { request: (f) => ({ user_id: f.userId, tier: 'free' }), expected: adminOnly },
  'AuthService/SetUserDisabled': {
    request: (f) => ({ user_id: f.userId, disabled: false }),
    expected: adminOnly,
  },
  'AuthService/RotateSigningKey': { request: () => ({}), expected: adminOnly },
  'AuthService/ListAuditEvents': { request: () => ({}), expected: adminOnly },
  // Open to anyone, like Login; the test cluster configures no identity provider.
  'AuthService/BeginFederatedLogin': {
    request: () => ({ provider: 'google', redirect_uri: 'https://app.example.com/callback' }),
    expected: same('INVALID_ARGUMENT'),
  },
  'AuthService/CompleteFederatedLogin': {
    request: (f) => ({ state: f.unique(), code: 'code' }),
    expected: same('UNAUTHENTICATED'),
  },
  'AuthService/ListFederatedIdentities': { request: (f) => ({ user_id: f.userId }), expected: adminOnly },
  'AuthService/UnlinkFederatedIdentity': {
    request: (f) => ({ user_id: f.userId, provider: 'google', subject: 'nobody' }),
    expected: { none: 'UNAUTHENTICATED', user: 'PERMISSION_DENIED', admin: 'NOT_FOUND' },
  },
  'Authorization/Check': { request: () => ({}), expected: same('OK') },
  'RateLimitService/CheckLimit': {
    request: () => ({
      domain: 'gatehouse',
      descriptors: [{ entries: [{ key: 'user', value: 'sweep' }] }],
      hits: 1,
    }),
    expected: same('OK'),
  },
  // A made-up lease id: anyone reaches the RPC, and it refuses the id for what it is.
  'RateLimitService/Release': {
    request: () => ({ lease_id: 'lease-unknown' }),
    expected: same('INVALID_ARGUMENT'),
  },
  'RateLimitService/GetLimitStatus': {
    request: () => ({ domain: 'gatehouse', descriptors: [{ entries: [{ key: 'user', value: 'sweep' }] }] }),
    expected: same('OK'),
  },
  'RateLimitService/ListRules': { request: () => ({}), expected: same('OK') },
  'RateLimitService/ResetLimit': {
    request: () => ({ domain: 'gatehouse', descriptor: { entries: [{ key: 'user', value: 'sweep' }] } }),
    expected: adminOnly,
  },
  'RateLimitService/ShouldRateLimit': {
    request: () => ({
      domain: 'gatehouse',
      descriptors: [{ entries: [{ key: 'user', value: 'sweep' }] }],
      hits_addend: 1,
    }),
    expected: same('OK'),
  },
  'CostBudgetService/Reserve': {
    request: (f) => ({ idempotency_key: f.unique(), scopes: [ownScope(f)], amount_micros: '10' }),
    expected: same('OK'),
  },
  'CostBudgetService/Commit': {
    request: async (f) => ({ reservation_id: await reservation(f), actual_micros: '5' }),
    expected: same('OK'),
  },
  'CostBudgetService/Release': {
    request: async (f) => ({ reservation_id: await reservation(f) }),
    expected: same('OK'),
  },
  'CostBudgetService/Charge': {
    request: (f) => ({ idempotency_key: f.unique(), scopes: [ownScope(f)], amount_micros: '1' }),
    expected: same('OK'),
  },
  'CostBudgetService/GetBudget': { request: (f) => ({ scope: ownScope(f) }), expected: signedIn('OK') },
  'CostBudgetService/SetBudget': {
    request: (f) => ({ scope: ownScope(f), limit_micros: '100000000', period: 'PERIOD_DAILY' }),
    expected: adminOnly,
  },
  'CostBudgetService/ListBudgets': { request: () => ({}), expected: adminOnly },
  'CostBudgetService/DeleteBudget': {
    request: () => ({ scope: { kind: 'SCOPE_KIND_TEAM', id: 'no-such-team' } }),
    // Deleting a budget that does not exist is done already: OK, and idempotent.
    expected: adminOnly,
  },
  'CostBudgetService/ListBudgetEvents': {
    request: (f) => ({ scope: ownScope(f) }),
    expected: signedIn('OK'),
  },
  'CostBudgetService/VerifyLedger': { request: () => ({}), expected: adminOnly },
  'HealthService/GetClusterHealth': { request: () => ({}), expected: same('OK') },
  'HealthService/WatchClusterHealth': { request: () => ({}), expected: same('OK') },
};

let loginCount = 0;
async function login(facts: Facts): Promise<authV1.TokenPair> {
  loginCount += 1;
  return facts.cluster.auth.call<authV1.LoginRequest, authV1.TokenPair>(
    'login',
    authV1.LoginRequest.fromPartial(facts.sessionUser),
  );
}

describe('access sweep: every RPC, without credentials, as a plain user and as an admin', () => {
  const catalog = rpcCatalog();
  let cluster: TestCluster;
  let facts: Facts;
  const clients = new Map<ServiceKey, Client>();
  const observed: Record<string, Expected> = {};

  beforeAll(async () => {
    cluster = await startTestCluster();
    for (const [key, address] of Object.entries(cluster.addresses))
      clients.set(key as ServiceKey, rawClient(address));
    const me = await cluster.auth.call<authV1.WhoAmIRequest, authV1.WhoAmIResponse>(
      'whoAmI',
      authV1.WhoAmIRequest.fromPartial({}),
      { bearer: cluster.tokens.user },
    );
    const sessionUser = { email: 'sessions@sweep.test', password: clusterUser.password };
    await cluster.auth.call(
      'register',
      authV1.RegisterRequest.fromPartial({ ...sessionUser, displayName: 'S' }),
    );
    let counter = 0;
    facts = {
      cluster,
      userId: me.principal!.subject,
      sessionUser,
      unique: () => `sweep-${Date.now()}-${++counter}`,
    };
  }, 60_000);
  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await cluster?.stop();
  });

  it('has an expected row for every RPC in the contracts, and no row for an RPC that does not exist', () => {
    expect(Object.keys(table).sort()).toEqual(catalog.map((rpc) => rpc.name).sort());
  });

  it.each(catalog.map((rpc) => [rpc.name, rpc] as const))('%s', async (name, rpc) => {
    const row = table[name];
    expect(row, `no expected outcomes for ${name}`).toBeDefined();
    const outcome = {} as Expected;
    for (const caller of ['none', 'user', 'admin'] as const) {
      const metadata = new Metadata();
      if (caller !== 'none') metadata.set('authorization', `Bearer ${cluster.tokens[caller]}`);
      const request = encodeRequest(rpc.requestType, await row!.request(facts));
      const result = await rawCall(clients.get(rpc.service)!, rpc.path, request, {
        metadata,
        responseStream: rpc.responseStream,
      });
      outcome[caller] = result.code === 'OK' ? 'OK' : result.code;
      if (result.code !== row!.expected[caller]) outcome[caller] += ` (${result.details})`;
    }
    observed[name] = outcome;
    if (JSON.stringify(outcome) !== JSON.stringify(row!.expected))
      console.log(`${name} ${JSON.stringify(outcome)}`);
    expect(outcome).toEqual(row!.expected);
  });

  afterAll(() => {
    const cells = Object.keys(observed).length * 3;
    console.log(
      `access sweep: ${Object.keys(observed).length} RPCs x 3 callers = ${cells} cells (${loginCount} logins)`,
    );
  });
});
