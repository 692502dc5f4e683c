import { credentials, Metadata, status } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { readErrorDetails } from '@gatehouse/runtime';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../../../test/support/test-env';
import {
  callError,
  goodPassword,
  signUp,
  startAuth,
  unaryCall,
  type StartedAuth,
} from '../test-support/start-auth';

const admin = { email: 'root@example.com', password: 'Adm1n-Bootstrap-Pass!' };

/** Two replicas of the auth service over the same PostgreSQL schema and Redis prefix (one Redis, or the cluster). */
describe.each(['real', 'cluster'] as const)(
  'API keys, revocation and disabling across two replicas (%s stores)',
  (backend) => {
    let a: StartedAuth;
    let b: StartedAuth;
    let adminToken: string;
    beforeAll(async () => {
      const env = {
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: admin.email,
        GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      };
      a = await startAuth({ backend, env });
      b = await startAuth({
        backend,
        env: {
          ...env,
          DATABASE_SCHEMA: a.service.config.databaseSchema,
          REDIS_KEY_PREFIX: a.service.config.redisKeyPrefix,
        },
      });
      adminToken = (await a.call<authV1.LoginRequest, authV1.TokenPair>('login', admin)).accessToken;
    });
    afterAll(async () => {
      await b.stop();
      await a.stop();
    });

    const newUser = (email: string) => signUp(a, email);
    const authenticateOn = (replica: StartedAuth, credential: { bearerToken: string } | { apiKey: string }) =>
      replica.call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>('authenticate', {
        ...credential,
        requiredScopes: [],
        requiredRoles: [],
      });
    /** Milliseconds until `attempt` is refused with UNAUTHENTICATED (polling every 20 ms, up to 3 s). */
    const timeUntilRefused = async (attempt: () => Promise<unknown>) => {
      const start = Date.now();
      while (Date.now() - start < 3000) {
        try {
          await attempt();
        } catch (error) {
          expect((error as { code: number }).code).toBe(status.UNAUTHENTICATED);
          return {
            ms: Date.now() - start,
            reason: readErrorDetails((error as { metadata: never }).metadata).reason,
          };
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('still accepted after 3 s');
    };

    it('creates an API key shown once, stores only its SHA-256 and lists it without the key', async () => {
      const user = await newUser('keys@example.com');
      const created = await a.call<authV1.CreateApiKeyRequest, authV1.CreateApiKeyResponse>(
        'createApiKey',
        { name: 'ci', scopes: ['notes:read'], ttlSeconds: 0n, userId: '' },
        { bearer: user.token },
      );
      expect(created.apiKey).toMatch(/^gh_live_[A-Za-z0-9_-]{43}$/);
      expect(created.apiKey.startsWith(created.prefix)).toBe(true);
      const pg = new Client({ connectionString: testDatabaseUrl });
      await pg.connect();
      const { rows } = await pg.query(
        `SELECT * FROM ${a.service.config.databaseSchema}.api_keys WHERE key_id = $1`,
        [created.keyId],
      );
      await pg.end();
      expect(JSON.stringify(rows)).not.toContain(created.apiKey.slice(created.prefix.length));
      const { createHash } = await import('node:crypto');
      expect(rows[0].key_hash).toBe(createHash('sha256').update(created.apiKey).digest('hex'));

      const listed = await b.call<authV1.ListApiKeysRequest, authV1.ListApiKeysResponse>(
        'listApiKeys',
        { userId: '', pageSize: 0, pageToken: '' },
        { bearer: user.token },
      );
      expect(listed.apiKeys.map((k) => [k.keyId, k.prefix, k.scopes])).toEqual([
        [created.keyId, created.prefix, ['notes:read']],
      ]);
      expect(JSON.stringify(listed, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
        created.apiKey,
      );

      const { principal } = await authenticateOn(b, { apiKey: created.apiKey });
      expect(principal).toMatchObject({
        subject: user.userId,
        kind: 2,
        scopes: ['notes:read'],
        apiKeyId: created.keyId,
      });
      const denied = await callError(
        b.call('authenticate', {
          apiKey: created.apiKey,
          requiredScopes: ['notes:write'],
          requiredRoles: [],
        }),
      );
      expect(denied.code).toBe(status.PERMISSION_DENIED);
    });

    it('a revoked key is refused on the other replica within 1 s', async () => {
      const user = await newUser('revoke@example.com');
      const created = await a.call<authV1.CreateApiKeyRequest, authV1.CreateApiKeyResponse>(
        'createApiKey',
        { name: 'k', scopes: [], ttlSeconds: 0n, userId: '' },
        { bearer: user.token },
      );
      await authenticateOn(b, { apiKey: created.apiKey }); // cached on b
      await a.call('revokeApiKey', { keyId: created.keyId }, { bearer: user.token });
      const refused = await timeUntilRefused(() => authenticateOn(b, { apiKey: created.apiKey }));
      expect(refused.reason).toBe('API_KEY_REVOKED');
      expect(refused.ms).toBeLessThanOrEqual(1000);
    });

    it("a disabled user's tokens and keys are refused on the other replica within 1 s", async () => {
      const user = await newUser('disable@example.com');
      await authenticateOn(b, { bearerToken: user.token }); // cached on b
      await a.call('setUserDisabled', { userId: user.userId, disabled: true }, { bearer: adminToken });
      const refused = await timeUntilRefused(() => authenticateOn(b, { bearerToken: user.token }));
      expect(refused.reason).toBe('USER_DISABLED');
      expect(refused.ms).toBeLessThanOrEqual(1000);
      const login = await callError(
        a.call('login', { email: 'disable@example.com', password: goodPassword }),
      );
      expect(login.code).toBe(status.UNAUTHENTICATED);
    });

    it('counts failed logins per account across many peers and replicas', async () => {
      await newUser('target@example.com');
      // Five peers (own connections, so own source ports), alternating between the replicas.
      const failures = await Promise.all(
        Array.from({ length: 5 }, async (_, i) => {
          const replica = i % 2 ? a : b;
          const client = new authV1.AuthServiceClient(replica.address, credentials.createInsecure(), {
            'grpc.use_local_subchannel_pool': 1,
          });
          const request = { email: 'target@example.com', password: `Wr0ng-guess-${i}!` };
          const error = await callError(unaryCall(client, client.login, request, new Metadata()));
          client.close();
          return error;
        }),
      );
      expect(failures.every((e) => e.code === status.UNAUTHENTICATED)).toBe(true);
      const attempts = await a.call<authV1.ListAuditEventsRequest, authV1.ListAuditEventsResponse>(
        'listAuditEvents',
        { pageSize: 0, pageToken: '', subject: '', type: 'login.failure' },
        { bearer: adminToken },
      );
      expect(new Set(attempts.events.map((e) => e.peer)).size).toBeGreaterThanOrEqual(5);
      const correct = await callError(
        b.call('login', { email: 'target@example.com', password: goodPassword }),
      );
      expect(correct.details).toBe('invalid email or password');
      const events = await a.call<authV1.ListAuditEventsRequest, authV1.ListAuditEventsResponse>(
        'listAuditEvents',
        { pageSize: 0, pageToken: '', subject: '', type: 'login.lockout' },
        { bearer: adminToken },
      );
      expect(events.events).toHaveLength(1);
      expect(events.events[0]?.peer).toMatch(/127\.0\.0\.1:\d+$/);
    });
  },
);
