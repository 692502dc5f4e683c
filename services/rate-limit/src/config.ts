import { EnvReader, readCommonConfig, type CommonConfig, type Env } from '@gatehouse/config';

/** Configuration of the rate-limit service. Service-specific keys join the common ones as features land. */
export type RateLimitConfig = CommonConfig;

export function readRateLimitConfig(env: Env): Readonly<RateLimitConfig> {
  const reader = new EnvReader(env);
  return reader.finish(readCommonConfig(reader, { service: 'rate-limit', grpcPort: 50052, opsPort: 8082 }));
}
