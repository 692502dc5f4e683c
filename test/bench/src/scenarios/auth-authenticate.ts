import { Metadata } from '@grpc/grpc-js';
import type { authV1 } from '@gatehouse/contracts';
import type { Scenario } from '../scenario';
import { authenticateCall, benchPassword, benchUserToken, startBenchAuth } from './auth-bench-service';
import { authenticateContractFloor } from './contract-floors';

/** Authenticate with the same access token again and again: the verified-credential cache path. */
export const authenticateRepeatedToken: Scenario = {
  name: 'auth-authenticate-token',
  summary: 'Authenticate, one access token repeated (cache hit)',
  concurrencies: [32],
  async setup() {
    const auth = await startBenchAuth();
    const token = await benchUserToken(auth, 'bench-token@example.com');
    return { call: authenticateCall(auth, { bearerToken: token }), teardown: auth.stop };
  },
  reference: authenticateContractFloor,
};

/** Authenticate with the same API key: a SHA-256 and the cache. */
export const authenticateApiKey: Scenario = {
  name: 'auth-authenticate-api-key',
  summary: 'Authenticate, one API key repeated (cache hit)',
  concurrencies: [32],
  async setup() {
    const auth = await startBenchAuth();
    const token = await benchUserToken(auth, 'bench-key@example.com');
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    const key = await auth.call<authV1.CreateApiKeyRequest, authV1.CreateApiKeyResponse>(
      'createApiKey',
      { name: 'bench', scopes: ['bench:read'], ttlSeconds: 0n, userId: '' },
      metadata,
    );
    return { call: authenticateCall(auth, { apiKey: key.apiKey }), teardown: auth.stop };
  },
};

/**
 * First sight of a token: the credential cache is off (AUTH_CACHE_MAX_ENTRIES=0), so every call
 * parses the JWT, verifies its RS256 signature, checks the denylist and the (cached) user state.
 */
export const authenticateFirstSight: Scenario = {
  name: 'auth-authenticate-first-sight',
  summary: 'Authenticate with the credential cache off: full verification every call',
  concurrencies: [32],
  async setup() {
    const auth = await startBenchAuth({ AUTH_CACHE_MAX_ENTRIES: '0' });
    const token = await benchUserToken(auth, 'bench-miss@example.com');
    return { call: authenticateCall(auth, { bearerToken: token }), teardown: auth.stop };
  },
};

/**
 * Authenticate (repeated token) while 16 logins at bcrypt cost 12 run back to back; compare its
 * p99 with auth-authenticate-token's (idle). bcrypt concurrency is the service default.
 */
export const authenticateDuringLogins: Scenario = {
  name: 'auth-authenticate-during-logins',
  summary: 'Authenticate (repeated token) during 16 concurrent cost-12 logins',
  concurrencies: [32],
  async setup() {
    const auth = await startBenchAuth({ BCRYPT_COST: '12', AUTH_ALLOW_WEAK_BCRYPT_FOR_TESTS: 'false' });
    const token = await benchUserToken(auth, 'bench-storm@example.com');
    let running = true;
    const login = { email: 'bench-storm@example.com', password: benchPassword };
    const storm = Array.from({ length: 16 }, async () => {
      while (running) await auth.call('login', login).catch(() => undefined);
    });
    return {
      call: authenticateCall(auth, { bearerToken: token }),
      async teardown() {
        running = false;
        await Promise.all(storm);
        await auth.stop();
      },
    };
  },
};
