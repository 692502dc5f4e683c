import { randomBytes } from 'node:crypto';
import { credentials, Metadata, type Client } from '@grpc/grpc-js';
import { EnvReader, type CommonConfig, type Env } from '@gatehouse/config';
import { authV1, envoyAuthV3 } from '@gatehouse/contracts';
import type { Clock, Logger } from '@gatehouse/runtime';
import { callError, unaryCall } from '../../../../test/support/grpc-call';
import {
  startServiceInProcess,
  type Backend,
  type StartedService,
} from '../../../../test/support/start-service';
import { startAuthApp } from '../app';
import { readAuthSettings, type AuthConfig } from '../config';

/** Fast bcrypt and a real encryption key: what every auth test runs with unless it says otherwise. */
export const testAuthEnv: Env = {
  BCRYPT_COST: '4',
  AUTH_ALLOW_WEAK_BCRYPT_FOR_TESTS: 'true',
  AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  AUTH_KEY_PUBLISH_AHEAD_SECONDS: '0',
};

export function authConfigOf(common: CommonConfig, env: Env): AuthConfig {
  const reader = new EnvReader({ ...testAuthEnv, ...env });
  return reader.finish({
    ...common,
    auth: readAuthSettings(reader, common.databaseUrl !== undefined),
  }) as AuthConfig;
}

export interface StartedAuth {
  service: StartedService;
  address: string;
  client: authV1.AuthServiceClient;
  envoy: envoyAuthV3.AuthorizationClient;
  /** Calls one AuthService method, with an optional bearer token or API key in metadata. */
  call<Req, Res>(
    method: keyof authV1.AuthServiceClient,
    request: Req,
    credential?: CallerCredential,
  ): Promise<Res>;
  stop(): Promise<void>;
}

export type CallerCredential = { bearer: string } | { apiKey: string } | Metadata;

export async function startAuth(options: {
  backend: Backend;
  env?: Env;
  clock?: Clock;
  logger?: Logger;
}): Promise<StartedAuth> {
  const env = options.env ?? {};
  const service = await startServiceInProcess(
    'auth',
    (common, logger) => startAuthApp(authConfigOf(common, env), logger, { clock: options.clock }),
    { backend: options.backend, env, logger: options.logger },
  );
  const address = `127.0.0.1:${service.host.grpcPort}`;
  const client = new authV1.AuthServiceClient(address, credentials.createInsecure());
  const envoy = new envoyAuthV3.AuthorizationClient(address, credentials.createInsecure());
  return {
    service,
    address,
    client,
    envoy,
    call: (method, request, credential) =>
      unaryCall(client, client[method] as never, request as never, metadataOf(credential)),
    stop: async () => {
      client.close();
      envoy.close();
      await service.stop();
    },
  };
}

export function metadataOf(credential?: CallerCredential): Metadata {
  if (credential instanceof Metadata) return credential;
  const metadata = new Metadata();
  if (credential && 'bearer' in credential) metadata.set('authorization', `Bearer ${credential.bearer}`);
  if (credential && 'apiKey' in credential) metadata.set('x-api-key', credential.apiKey);
  return metadata;
}

export function closeClient(client: Client): void {
  client.close();
}

export { callError, unaryCall };

/** A password the default policy accepts. */
export const goodPassword = 'Corr3ct-Horse-Battery!';

/** A registered user, logged in: `token` is the access token of `pair`. */
export interface SignedUpUser {
  userId: string;
  token: string;
  pair: authV1.TokenPair;
}

/** Registers `email` with `goodPassword` and logs it in. */
export async function signUp(auth: Pick<StartedAuth, 'call'>, email: string): Promise<SignedUpUser> {
  const { userId } = await auth.call<authV1.RegisterRequest, authV1.RegisterResponse>('register', {
    email,
    password: goodPassword,
    displayName: email,
  });
  const pair = await auth.call<authV1.LoginRequest, authV1.TokenPair>('login', {
    email,
    password: goodPassword,
  });
  return { userId, token: pair.accessToken, pair };
}
