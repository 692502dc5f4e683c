import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { createLogger, type Logger, type ServiceHost } from '@gatehouse/runtime';
import { benchServerEnv } from '../bench-server-env';

/** The compiled auth service, loaded at run time (`npm run bench` builds it first). */
interface AuthModules {
  readAuthConfig(env: Record<string, string>): unknown;
  startAuthApp(config: unknown, logger: Logger): Promise<ServiceHost>;
}

function loadAuth(): AuthModules {
  const dist = resolve(__dirname, '..', '..', '..', '..', 'services', 'auth', 'dist');
  const { readAuthConfig } = require(join(dist, 'config.js')) as Pick<AuthModules, 'readAuthConfig'>;
  const { startAuthApp } = require(join(dist, 'app.js')) as Pick<AuthModules, 'startAuthApp'>;
  return { readAuthConfig, startAuthApp };
}

export interface BenchAuth {
  client: authV1.AuthServiceClient;
  call<Req, Res>(method: keyof authV1.AuthServiceClient, request: Req, metadata?: Metadata): Promise<Res>;
  stop(): Promise<void>;
}

/** An auth service in this process on embedded stores (PGlite in a temp dir, in-memory KV), 127.0.0.1 only. */
export async function startBenchAuth(env: Record<string, string> = {}): Promise<BenchAuth> {
  const { readAuthConfig, startAuthApp } = loadAuth();
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-auth-'));
  const config = readAuthConfig({
    ...benchServerEnv,
    GATEHOUSE_DATA_DIR: dataDir,
    BCRYPT_COST: '4',
    AUTH_ALLOW_WEAK_BCRYPT_FOR_TESTS: 'true',
    ...env,
  });
  const host = await startAuthApp(config, createLogger({ service: 'auth', level: 'silent' }));
  const client = new authV1.AuthServiceClient(`127.0.0.1:${host.grpcPort}`, credentials.createInsecure());
  const call = <Req, Res>(method: keyof authV1.AuthServiceClient, request: Req, metadata = new Metadata()) =>
    new Promise<Res>((done, fail) => {
      const fn = client[method] as unknown as (
        r: Req,
        m: Metadata,
        cb: (e: ServiceError | null, v: Res) => void,
      ) => void;
      fn.call(client, request, metadata, (error, value) => (error ? fail(error) : done(value)));
    });
  return {
    client,
    call,
    stop: async () => {
      client.close();
      await host.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const benchPassword = 'Bench-Passw0rd-Strong!';

/** Registers a user and logs in: resolves the access token. */
export async function benchUserToken(auth: BenchAuth, email: string): Promise<string> {
  await auth.call('register', { email, password: benchPassword, displayName: 'Bench' });
  const pair = await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
    email,
    password: benchPassword,
  });
  return pair.accessToken;
}

/** One Authenticate call that must succeed. */
export function authenticateCall(auth: BenchAuth, credential: { bearerToken: string } | { apiKey: string }) {
  const request = { ...credential, requiredScopes: [], requiredRoles: [] };
  // Called the way the baseline's client is (one Metadata, a promise around the generated method),
  // so that only the server side differs.
  const metadata = new Metadata();
  return () =>
    new Promise<void>((resolve, reject) => {
      auth.client.authenticate(request, metadata, (error) => (error ? reject(error) : resolve()));
    });
}
