export { ConfigError, type ConfigProblem } from './config-error';
export { EnvReader, redactUrl, type Env, type IntegerRule } from './env-reader';
export {
  readCommonConfig,
  logLevels,
  otlpProtocols,
  type CommonConfig,
  type CommonDefaults,
  type LogLevel,
  type OtlpProtocol,
  type TelemetryConfig,
} from './common-config';
export { readRedisSettings, splitRedisUrls, type RedisClusterSetting } from './redis-urls';
export { loadConfigOrExit, configErrorExitCode } from './load-config-or-exit';
