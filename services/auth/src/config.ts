import { EnvReader, readCommonConfig, type CommonConfig, type Env } from '@gatehouse/config';

/** Configuration of the auth service. Service-specific keys join the common ones as features land. */
export type AuthConfig = CommonConfig;

export function readAuthConfig(env: Env): Readonly<AuthConfig> {
  const reader = new EnvReader(env);
  return reader.finish(readCommonConfig(reader, { service: 'auth', grpcPort: 50051, opsPort: 8081 }));
}
