import { EnvReader, readCommonConfig, type CommonConfig, type Env } from '@gatehouse/config';

/** Configuration of the health service. Service-specific keys join the common ones as features land. */
export type HealthConfig = CommonConfig;

export function readHealthConfig(env: Env): Readonly<HealthConfig> {
  const reader = new EnvReader(env);
  return reader.finish(readCommonConfig(reader, { service: 'health', grpcPort: 50054, opsPort: 8084 }));
}
