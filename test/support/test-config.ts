import { EnvReader, readCommonConfig, type CommonConfig, type Env } from '@gatehouse/config';

/** Settings of every in-process test server: loopback, ephemeral ports, quiet logs, short drain. */
export const testServerEnv: Env = {
  GRPC_HOST: '127.0.0.1',
  GRPC_PORT: '0',
  OPS_HOST: '127.0.0.1',
  OPS_PORT: '0',
  LOG_LEVEL: 'silent',
  SHUTDOWN_GRACE_MS: '2000',
};

/** Common config for an in-process test server. */
export function testCommonConfig(overrides: Env = {}, service = 'test'): CommonConfig {
  const reader = new EnvReader({ ...testServerEnv, ...overrides });
  return reader.finish(readCommonConfig(reader, { service, grpcPort: 0, opsPort: 0 }));
}
