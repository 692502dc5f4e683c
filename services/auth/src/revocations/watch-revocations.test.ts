import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodPassword, signUp as signUpUser, startAuth, type StartedAuth } from '../test-support/start-auth';

const admin = { email: 'root@example.com', password: 'Adm1n-Bootstrap-Pass!' };
const { REVOCATION_KIND_TOKEN, REVOCATION_KIND_SESSION, REVOCATION_KIND_SUBJECT } = authV1.RevocationKind;

/** A WatchRevocations stream whose messages are collected, with a wait for the first matching one. */
function watch(auth: StartedAuth, heartbeatIntervalMs = 0) {
  const received: authV1.WatchRevocationsResponse[] = [];
  const waiters = new Set<() => void>();
  let failure: ServiceError | undefined;
  const stream: ClientReadableStream<authV1.WatchRevocationsResponse> = auth.client.watchRevocations({
    heartbeatIntervalMs,
  });
  stream.on('data', (message: authV1.WatchRevocationsResponse) => {
    received.push(message);
    waiters.forEach((wake) => wake());
  });
  stream.on('error', (error: ServiceError) => {
    failure = error;
    waiters.forEach((wake) => wake());
  });
  const next = async (
    match: (message: authV1.WatchRevocationsResponse) => boolean,
    from = 0,
  ): Promise<authV1.WatchRevocationsResponse> => {
    const deadline = Date.now() + 3000;
    for (;;) {
      const found = received.slice(from).find(match);
      if (found !== undefined) return found;
      if (failure !== undefined) throw failure;
      if (Date.now() > deadline) throw new Error('no matching message within 3 s');
      await new Promise<void>((resolve) => {
        waiters.add(resolve);
        setTimeout(resolve, 100);
      }).finally(() => waiters.clear());
    }
  };
  return { received, next, cancel: () => stream.cancel(), failure: () => failure };
}

const revocationOf =
  (kind: authV1.RevocationKind, id: string) => (message: authV1.WatchRevocationsResponse) =>
    message.revocation?.kind === kind && message.revocation.id === id;

function claimsOf(token: string): { jti: string; sid: string; sub: string; exp: number } {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

describe.each(['embedded', 'real'] as const)('WatchRevocations (%s stores)', (backend) => {
  let auth: StartedAuth;
  let adminToken: string;

  beforeAll(async () => {
    auth = await startAuth({
      backend,
      env: {
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: admin.email,
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      },
    });
    adminToken = (await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', admin)).accessToken;
  }, 60_000);
  afterAll(async () => {
    await auth?.stop();
  });

  const signUp = (email: string) => signUpUser(auth, email);

  it('opens with a snapshot of the issuer, audience, skew and published key ids, then heartbeats', async () => {
    const watcher = watch(auth, 100);
    try {
      const first = await watcher.next(() => true);
      const jwks = await auth.call<authV1.GetJwksRequest, authV1.GetJwksResponse>('getJwks', {});
      const issued = JSON.parse(Buffer.from(adminToken.split('.')[1]!, 'base64url').toString('utf8'));
      expect(first.snapshot?.keyIds).toEqual(jwks.keys.map((key) => key.kid));
      expect(first.snapshot?.issuer).toBe(issued.iss);
      expect(first.snapshot?.audience).toBe(issued.aud);
      expect(first.snapshot?.heartbeatIntervalMs).toBe(100);
      expect(first.snapshot?.clockSkewSeconds).toBeGreaterThan(0);
      await watcher.next((message) => message.heartbeat !== undefined, 1);
      expect(watcher.received[0]).toBe(first);
    } finally {
      watcher.cancel();
    }
  });

  it('pushes the token and session revocations of a logout, and a new watcher gets them in its snapshot', async () => {
    const { pair } = await signUp(`logout-${backend}@example.com`);
    const claims = claimsOf(pair.accessToken);
    const watcher = watch(auth);
    try {
      await watcher.next((message) => message.snapshot !== undefined);
      const before = Date.now();
      await auth.call('logout', { refreshToken: pair.refreshToken }, { bearer: pair.accessToken });
      const token = await watcher.next(revocationOf(REVOCATION_KIND_TOKEN, claims.jti));
      await watcher.next(revocationOf(REVOCATION_KIND_SESSION, claims.sid));
      expect(token.revocation!.revokedAt!.getTime()).toBeGreaterThanOrEqual(before - 1);
      // Lives until the token can no longer be presented: its lifetime plus skew from now.
      expect(token.revocation!.expiresAt!.getTime()).toBeGreaterThanOrEqual(claims.exp * 1000);
    } finally {
      watcher.cancel();
    }
    const late = watch(auth);
    try {
      const { snapshot } = await late.next((message) => message.snapshot !== undefined);
      const ids = snapshot!.revocations.map((revocation) => `${revocation.kind}:${revocation.id}`);
      expect(ids).toContain(`${REVOCATION_KIND_TOKEN}:${claims.jti}`);
      expect(ids).toContain(`${REVOCATION_KIND_SESSION}:${claims.sid}`);
    } finally {
      late.cancel();
    }
  });

  it('pushes a subject revocation when an admin disables a user', async () => {
    const { userId } = await signUp(`disabled-${backend}@example.com`);
    const watcher = watch(auth);
    try {
      await watcher.next((message) => message.snapshot !== undefined);
      await auth.call('setUserDisabled', { userId, disabled: true }, { bearer: adminToken });
      const event = await watcher.next(revocationOf(REVOCATION_KIND_SUBJECT, userId));
      expect(event.revocation!.revokedAt!.getTime()).toBeLessThanOrEqual(Date.now());
    } finally {
      watcher.cancel();
    }
  });

  it("pushes the caller's other sessions when the password changes", async () => {
    const email = `changer-${backend}@example.com`;
    const { pair: first } = await signUp(email);
    const second = await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
      email,
      password: goodPassword,
    });
    const watcher = watch(auth);
    try {
      await watcher.next((message) => message.snapshot !== undefined);
      await auth.call(
        'changePassword',
        { currentPassword: goodPassword, newPassword: 'N3w-Passw0rd-Changed!' },
        { bearer: second.accessToken },
      );
      await watcher.next(revocationOf(REVOCATION_KIND_SESSION, claimsOf(first.accessToken).sid));
      const sessions = watcher.received.filter(
        (message) => message.revocation?.kind === REVOCATION_KIND_SESSION,
      );
      expect(sessions.map((message) => message.revocation!.id)).not.toContain(
        claimsOf(second.accessToken).sid,
      );
    } finally {
      watcher.cancel();
    }
  });

  it('pushes the new key ids after a signing-key rotation', async () => {
    const watcher = watch(auth, 100);
    try {
      const { snapshot } = await watcher.next((message) => message.snapshot !== undefined);
      const { kid } = await auth.call<authV1.RotateSigningKeyRequest, authV1.RotateSigningKeyResponse>(
        'rotateSigningKey',
        {},
        { bearer: adminToken },
      );
      const changed = await watcher.next((message) => message.signingKeysChanged !== undefined);
      expect(changed.signingKeysChanged!.keyIds).toEqual([...snapshot!.keyIds, kid]);
    } finally {
      watcher.cancel();
    }
  });

  it('refuses a heartbeat interval out of range INVALID_ARGUMENT naming the field', async () => {
    const watcher = watch(auth, 5);
    await expect(watcher.next(() => false)).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('heartbeat_interval_ms'),
    });
  });
});

describe.each(['real', 'cluster'] as const)('WatchRevocations across two replicas (%s stores)', (backend) => {
  let a: StartedAuth;
  let b: StartedAuth;
  beforeAll(async () => {
    a = await startAuth({ backend });
    b = await startAuth({
      backend,
      env: {
        DATABASE_SCHEMA: a.service.config.databaseSchema,
        REDIS_KEY_PREFIX: a.service.config.redisKeyPrefix,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it("a watcher of one replica hears another replica's logout, and a new watcher finds it in the snapshot", async () => {
    const email = 'replicas@example.com';
    await a.call('register', { email, password: goodPassword, displayName: 'Replicas' });
    const pair = await a.call<authV1.LoginRequest, authV1.TokenPair>('login', {
      email,
      password: goodPassword,
    });
    const { jti, sid } = claimsOf(pair.accessToken);
    const watcher = watch(b);
    try {
      await watcher.next((message) => message.snapshot !== undefined);
      await a.call('logout', { refreshToken: pair.refreshToken }, { bearer: pair.accessToken });
      await watcher.next(revocationOf(REVOCATION_KIND_TOKEN, jti));
      await watcher.next(revocationOf(REVOCATION_KIND_SESSION, sid));
    } finally {
      watcher.cancel();
    }
    const late = watch(b);
    try {
      const { snapshot } = await late.next((message) => message.snapshot !== undefined);
      expect(snapshot!.revocations.map((revocation) => revocation.id)).toEqual(
        expect.arrayContaining([jti, sid]),
      );
    } finally {
      late.cancel();
    }
  });
});
