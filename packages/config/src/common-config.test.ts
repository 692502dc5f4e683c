import { describe, expect, it } from 'vitest';
import { configProblems } from '../../../test/support/config-problems';
import { readCommonConfig } from './common-config';
import { EnvReader, type Env } from './env-reader';

const defaults = { service: 'cost-budget', grpcPort: 50053, opsPort: 8083 };

function read(env: Env) {
  const reader = new EnvReader(env);
  return reader.finish(readCommonConfig(reader, defaults));
}

const problemsOf = (env: Env) => configProblems(() => read(env));

describe('readCommonConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = read({});
    expect(config).toEqual({
      service: 'cost-budget',
      grpcHost: '0.0.0.0',
      grpcPort: 50053,
      opsHost: '0.0.0.0',
      opsPort: 8083,
      databaseUrl: undefined,
      databaseSchema: 'gatehouse_cost_budget',
      redisUrl: undefined,
      redisCluster: 'auto',
      redisKeyPrefix: 'gh:cost-budget:',
      dataDir: './.gatehouse',
      logLevel: 'info',
      shutdownGraceMs: 10_000,
      grpcMaxMessageBytes: 4_194_304,
      grpcKeepaliveTimeMs: 30_000,
      telemetry: {
        serviceName: 'gatehouse-cost-budget',
        disabled: false,
        otlpEndpoint: undefined,
        otlpEndpointIsSignalSpecific: false,
        otlpProtocol: 'http/protobuf',
      },
    });
  });

  it('reads every variable it documents', () => {
    const config = read({
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      OPS_PORT: '9000',
      DATABASE_URL: 'postgres://u:p@db:5432/gatehouse',
      REDIS_URL: 'redis://cache:6379/2',
      GATEHOUSE_DATA_DIR: '/var/lib/gatehouse',
      LOG_LEVEL: 'debug',
      SHUTDOWN_GRACE_MS: '2500',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(config.grpcHost).toBe('127.0.0.1');
    expect(config.grpcPort).toBe(0);
    expect(config.opsPort).toBe(9000);
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/gatehouse');
    expect(config.redisUrl).toBe('redis://cache:6379/2');
    expect(config.dataDir).toBe('/var/lib/gatehouse');
    expect(config.logLevel).toBe('debug');
    expect(config.shutdownGraceMs).toBe(2500);
    expect(config.telemetry.otlpEndpoint).toBe('http://collector:4318');
    expect(config.telemetry.otlpProtocol).toBe('grpc');
  });

  it('is frozen, nested objects included', () => {
    const config = read({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.telemetry)).toBe(true);
  });

  it('freezes a config holding binary values (keys), leaving the bytes as they are', () => {
    const reader = new EnvReader({});
    const config = reader.finish({ key: Buffer.from('secret'), nested: { list: [1, 2] } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.nested.list)).toBe(true);
    expect(config.key.toString()).toBe('secret');
  });

  it('names each bad variable and what is wrong, all at once', () => {
    expect(
      problemsOf({
        GRPC_PORT: 'abc',
        OPS_PORT: '70000',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        REDIS_URL: 'not a url',
        LOG_LEVEL: 'loud',
        OTEL_SDK_DISABLED: 'maybe',
      }),
    ).toEqual([
      'GRPC_PORT: must be an integer from 0 to 65535, got "abc"',
      'OPS_PORT: must be an integer from 0 to 65535, got "70000"',
      'DATABASE_URL: must be a postgres:// or postgresql:// URL with a host, got "mysql://root:***@db/x"',
      'REDIS_URL: must be a redis:// or rediss:// URL with a host, got "not a url"',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'OTEL_SDK_DISABLED: must be true or false, got "maybe"',
    ]);
  });

  it('never echoes a database password in its error', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'http://admin:s3cret@db/x' });
    expect(problem).toContain('admin:***@db');
    expect(problem).not.toContain('s3cret');
  });

  it('treats empty values as unset', () => {
    expect(read({ GRPC_PORT: '', DATABASE_URL: '  ' }).grpcPort).toBe(50053);
    expect(read({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });
});
