import { createHmac, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { credentials, InterceptingCall, status, type Interceptor, type ServiceError } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { readErrorDetails } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../../test/support/tcp-proxy';
import {
  goodPassword,
  signUp as signUpUser,
  startAuth,
  type StartedAuth,
} from '../../../services/auth/src/test-support/start-auth';
import { authenticate, type ClosableInterceptor } from './index';
import { bearer, startEchoServer, type EchoServer } from './test-support/echo-server';

const admin = { email: 'root@example.com', password: 'Adm1n-Bootstrap-Pass!' };
/** The stated bound of this mode when the feed is connected is "when the event arrives"; tests allow the staleness bound. */
const maxStalenessMs = 1000;

type Outcome =
  { ok: true; principal: unknown } | { ok: false; code: number; reason: string; details: string };

async function outcomeOf(promise: Promise<{ reply: { principal?: unknown } }>): Promise<Outcome> {
  try {
    return { ok: true, principal: (await promise).reply.principal };
  } catch (error) {
    const failure = error as ServiceError;
    return {
      ok: false,
      code: failure.code,
      reason: readErrorDetails(failure.metadata).reason ?? '',
      details: failure.details,
    };
  }
}

/** An AuthService client that counts the calls it makes, by method name. */
function countingClient(address: string) {
  const calls: string[] = [];
  const counter: Interceptor = (options, nextCall) => {
    calls.push(options.method_definition.path.split('/').pop()!);
    return new InterceptingCall(nextCall(options));
  };
  const client = new authV1.AuthServiceClient(address, credentials.createInsecure(), {
    interceptors: [counter],
  });
  return { client, count: (method: string) => calls.filter((name) => name === method).length };
}

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

describe('authenticate verifies access tokens locally against the real auth service', () => {
  let auth: StartedAuth;
  let counted: ReturnType<typeof countingClient>;
  let guard: ClosableInterceptor;
  let server: EchoServer;
  let adminToken: string;

  const signUp = (email: string) => signUpUser(auth, email);
  const authenticateCalls = () => counted.count('Authenticate');
  const echo = (token: string) => outcomeOf(server.call('Echo', bearer(token)));
  /** Until a token is served with no Authenticate call: the feed's snapshot and the keys are in. */
  const warmUp = async (token: string) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const before = authenticateCalls();
      const outcome = await echo(token);
      if (outcome.ok && authenticateCalls() === before) return;
      if (Date.now() > deadline)
        throw new Error(`not verified locally within 5 s: ${JSON.stringify(outcome)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  /** Milliseconds from now until `token` is refused (polling every 5 ms), and the refusal. */
  const timeUntilRefused = async (token: string) => {
    const start = Date.now();
    for (;;) {
      const outcome = await echo(token);
      if (!outcome.ok) return { elapsedMs: Date.now() - start, outcome };
      if (Date.now() - start > 5000) throw new Error('still served after 5 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const serviceOutcome = (token: string) =>
    outcomeOf(
      auth
        .call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>('authenticate', {
          bearerToken: token,
          requiredScopes: [],
          requiredRoles: [],
        })
        .then((response) => ({ reply: { principal: JSON.parse(JSON.stringify(response.principal)) } })),
    );

  beforeAll(async () => {
    auth = await startAuth({
      backend: 'embedded',
      env: {
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: admin.email,
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      },
    });
    counted = countingClient(auth.address);
    // No reuse of Authenticate answers: every call that is not verified locally is counted.
    guard = authenticate({ authClient: counted.client, maxStalenessMs, cacheMaxAgeMs: 0 });
    server = await startEchoServer([guard]);
    adminToken = (await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', admin)).accessToken;
    await warmUp(adminToken);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    guard?.close();
    counted?.client.close();
    await auth?.stop();
  });

  it('serves tokens with zero Authenticate calls, with the principal Authenticate would return', async () => {
    const { pair } = await signUp('local@example.com');
    const before = authenticateCalls();
    for (const token of [pair.accessToken, adminToken]) {
      for (let call = 0; call < 20; call += 1) {
        const outcome = await echo(token);
        expect(outcome.ok).toBe(true);
      }
    }
    expect(authenticateCalls()).toBe(before);
    for (const token of [pair.accessToken, adminToken]) {
      const local = await echo(token);
      const remote = await serviceOutcome(token);
      expect(local).toEqual(remote);
      expect(local.ok && (local.principal as { roles: string[] }).roles.length).toBeGreaterThan(0);
    }
  });

  it('refuses a logged-out token within the bound, locally and as the service does', async () => {
    const { pair } = await signUp('logout@example.com');
    await warmUp(pair.accessToken);
    await auth.call('logout', { refreshToken: pair.refreshToken }, { bearer: pair.accessToken });
    const before = authenticateCalls();
    const { elapsedMs, outcome } = await timeUntilRefused(pair.accessToken);
    console.info(`logout → refused after ${elapsedMs} ms`);
    expect(elapsedMs).toBeLessThanOrEqual(maxStalenessMs);
    expect(outcome).toEqual({
      ok: false,
      code: status.UNAUTHENTICATED,
      reason: 'TOKEN_REVOKED',
      details: 'token has been revoked',
    });
    expect(authenticateCalls()).toBe(before);
    expect(await serviceOutcome(pair.accessToken)).toEqual(outcome);
  });

  it('refuses a disabled user within the bound (the changed subject goes to Authenticate)', async () => {
    const { userId, pair } = await signUp('disabled@example.com');
    await warmUp(pair.accessToken);
    await auth.call('setUserDisabled', { userId, disabled: true }, { bearer: adminToken });
    const { elapsedMs, outcome } = await timeUntilRefused(pair.accessToken);
    console.info(`disable → refused after ${elapsedMs} ms`);
    expect(elapsedMs).toBeLessThanOrEqual(maxStalenessMs);
    expect(outcome).toMatchObject({ ok: false, code: status.UNAUTHENTICATED, reason: 'USER_DISABLED' });
  });

  it('serves the new tier at once when an admin changes it (tokens issued before go to Authenticate)', async () => {
    const { userId, pair } = await signUp('tiered@example.com');
    await warmUp(pair.accessToken);
    await auth.call('setUserTier', { userId, tier: 'premium' }, { bearer: adminToken });
    const start = Date.now();
    let tier = '';
    while (tier !== 'premium' && Date.now() - start < 3000) {
      tier = (await server.call('Echo', bearer(pair.accessToken))).reply.tier;
    }
    expect(tier).toBe('premium');
    expect(Date.now() - start).toBeLessThanOrEqual(maxStalenessMs);
  });

  it("refuses the other sessions' tokens after a password change within the bound; the caller's stays valid", async () => {
    const email = 'changer@example.com';
    const { pair: first } = await signUp(email);
    const second = await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
      email,
      password: goodPassword,
    });
    await warmUp(first.accessToken);
    await warmUp(second.accessToken);
    await auth.call(
      'changePassword',
      { currentPassword: goodPassword, newPassword: 'N3w-Passw0rd-Changed!' },
      { bearer: second.accessToken },
    );
    const { elapsedMs, outcome } = await timeUntilRefused(first.accessToken);
    console.info(`password change → refused after ${elapsedMs} ms`);
    expect(elapsedMs).toBeLessThanOrEqual(maxStalenessMs);
    expect(outcome).toMatchObject({ ok: false, code: status.UNAUTHENTICATED, reason: 'TOKEN_REVOKED' });
    expect((await echo(second.accessToken)).ok).toBe(true);
  });

  it('refuses forged and misused tokens locally, exactly as the service does', async () => {
    const { pair } = await signUp('forger@example.com');
    const [header, payload, signature] = pair.accessToken.split('.') as [string, string, string];
    const { kid } = decode(header);
    const jwks = await auth.call<authV1.GetJwksRequest, authV1.GetJwksResponse>('getJwks', {});
    const jwk = jwks.keys.find((key) => key.kid === kid)!;
    const publicPem = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const claims = decode(payload);
    const hmacHeader = part({ alg: 'HS256', kid, typ: 'at+jwt' });
    const hmac = createHmac('sha256', publicPem).update(`${hmacHeader}.${payload}`).digest('base64url');
    const cases: [string, string, string][] = [
      [
        'tampered',
        `${header}.${part({ ...claims, sub: 'usr_someone_else' })}.${signature}`,
        'TOKEN_SIGNATURE_INVALID',
      ],
      ['alg none', `${part({ alg: 'none', kid, typ: 'at+jwt' })}.${payload}.AA`, 'TOKEN_ALGORITHM_REJECTED'],
      ['HMAC with the public key', `${hmacHeader}.${payload}.${hmac}`, 'TOKEN_ALGORITHM_REJECTED'],
      ['refresh token as access token', pair.refreshToken, 'TOKEN_TYPE_MISMATCH'],
      [
        'jku header',
        `${part({ alg: 'RS256', kid, typ: 'at+jwt', jku: 'http://x' })}.${payload}.${signature}`,
        'TOKEN_HEADER_REJECTED',
      ],
      ['garbage', 'not-a-token', 'TOKEN_MALFORMED'],
    ];
    const before = authenticateCalls();
    for (const [name, token, reason] of cases) {
      const outcome = await echo(token);
      expect({ name, ...outcome }).toMatchObject({ name, ok: false, code: status.UNAUTHENTICATED, reason });
      expect({ name, ...(await serviceOutcome(token)) }).toEqual({ name, ...outcome });
    }
    expect(authenticateCalls()).toBe(before);
  });

  it('accepts a token signed by a rotated-out key still published, and refuses an unknown key', async () => {
    const { pair } = await signUp('rotation@example.com');
    await warmUp(pair.accessToken);
    const { kid } = await auth.call<authV1.RotateSigningKeyRequest, authV1.RotateSigningKeyResponse>(
      'rotateSigningKey',
      {},
      { bearer: adminToken },
    );
    const fresh = await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
      email: 'rotation@example.com',
      password: goodPassword,
    });
    expect(decode(fresh.accessToken.split('.')[0]!).kid).toBe(kid);
    await warmUp(fresh.accessToken);
    const before = authenticateCalls();
    expect((await echo(pair.accessToken)).ok).toBe(true);
    expect((await echo(fresh.accessToken)).ok).toBe(true);
    expect(authenticateCalls()).toBe(before);

    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forgedHeader = part({ alg: 'RS256', kid: 'unknown-key-0001', typ: 'at+jwt' });
    const body = pair.accessToken.split('.')[1]!;
    const forged = `${forgedHeader}.${body}.${sign('sha256', Buffer.from(`${forgedHeader}.${body}`), stranger).toString('base64url')}`;
    const outcome = await echo(forged);
    expect(outcome).toMatchObject({ ok: false, code: status.UNAUTHENTICATED, reason: 'TOKEN_KID_UNKNOWN' });
    // Asked the service once: a key rotated moments ago would have been found there.
    expect(authenticateCalls()).toBe(before + 1);
  });
});

describe('authenticate when the auth service cannot be reached', () => {
  let auth: StartedAuth;
  let proxy: TcpProxy;

  beforeAll(async () => {
    auth = await startAuth({ backend: 'embedded' });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: auth.service.host.grpcPort });
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await auth?.stop();
  });

  it('keeps verifying locally within the staleness bound, then fails closed UNAVAILABLE', async () => {
    await auth.call('register', { email: 'cut@example.com', password: goodPassword, displayName: 'Cut' });
    const pair = await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
      email: 'cut@example.com',
      password: goodPassword,
    });
    const counted = countingClient(`127.0.0.1:${proxy.port}`);
    const guard = authenticate({ authClient: counted.client, maxStalenessMs, timeoutMs: 300 });
    const server = await startEchoServer([guard]);
    try {
      const deadline = Date.now() + 5000;
      for (;;) {
        const before = counted.count('Authenticate');
        if (
          (await outcomeOf(server.call('Echo', bearer(pair.accessToken)))).ok &&
          counted.count('Authenticate') === before
        )
          break;
        if (Date.now() > deadline) throw new Error('never verified locally');
      }
      // A partition: no heartbeat arrives any more, and no call to the service can succeed.
      proxy.blackhole();
      const cutAt = Date.now();
      let servedAfterCut = 0;
      let lastServedStartedAt = cutAt;
      let refused: Outcome | undefined;
      while (refused === undefined && Date.now() - cutAt < 5000) {
        const startedAt = Date.now();
        const outcome = await outcomeOf(server.call('Echo', bearer(pair.accessToken)));
        if (outcome.ok) {
          servedAfterCut += 1;
          lastServedStartedAt = startedAt;
        } else refused = outcome;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      console.info(
        `partition → ${servedAfterCut} served locally, the last starting ${lastServedStartedAt - cutAt} ms after the cut`,
      );
      expect(servedAfterCut).toBeGreaterThan(0);
      // The last heartbeat came before the cut: nothing starting later than the bound after it passes.
      expect(lastServedStartedAt - cutAt).toBeLessThanOrEqual(maxStalenessMs);
      expect(refused).toMatchObject({ ok: false, code: status.UNAVAILABLE, reason: 'AUTH_UNAVAILABLE' });
      proxy.heal();
    } finally {
      await server.stop();
      guard.close();
      counted.client.close();
    }
  });

  it('fails closed when the auth service is stopped: UNAVAILABLE once the bound has passed', async () => {
    await auth.call('register', { email: 'stop@example.com', password: goodPassword, displayName: 'Stop' });
    const pair = await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
      email: 'stop@example.com',
      password: goodPassword,
    });
    const guard = authenticate({ authAddress: auth.address, maxStalenessMs, timeoutMs: 300 });
    const server = await startEchoServer([guard]);
    try {
      await expect
        .poll(async () => (await outcomeOf(server.call('Echo', bearer(pair.accessToken)))).ok)
        .toBe(true);
      await auth.stop();
      const stoppedAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, maxStalenessMs));
      const outcome = await outcomeOf(server.call('Echo', bearer(pair.accessToken)));
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(maxStalenessMs);
      expect(outcome).toMatchObject({ ok: false, code: status.UNAVAILABLE, reason: 'AUTH_UNAVAILABLE' });
    } finally {
      await server.stop();
      guard.close();
    }
  });
});
