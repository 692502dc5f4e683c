import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { EnvReader, type Env } from '@gatehouse/config';
import { authV1, envoyRateLimitV3, ratelimitV1 } from '@gatehouse/contracts';
import type { CallerIdentity } from '@gatehouse/interceptors';
import { createLogger, type Clock, type Logger, type ServiceHost } from '@gatehouse/runtime';
import { unaryCall } from '../../../../test/support/grpc-call';
import { startTcpProxy, type TcpProxy } from '../../../../test/support/tcp-proxy';
import { testCommonConfig } from '../../../../test/support/test-config';
import { testRedisUrl, uniqueName } from '../../../../test/support/test-env';
import { openTestRedis, redisUrlOf, type RedisBackend } from '../../../../test/support/test-redis';
import { startRateLimitApp } from '../app';
import { readRateLimitSettings } from '../config';

export interface RateLimitUnderTest {
  host: ServiceHost;
  address: string;
  client: ratelimitV1.RateLimitServiceClient;
  envoy: envoyRateLimitV3.RateLimitServiceClient;
  /** The rules file the service watches (with several files: the first). */
  rulesFile: string;
  /** The directory holding the rules file(s). */
  rulesDir: string;
  keyPrefix: string;
  /** Envoy's ShouldRateLimit, resolved. */
  shouldRateLimit(request: envoyRateLimitV3.RateLimitRequest): Promise<envoyRateLimitV3.RateLimitResponse>;
  /** CheckLimit, resolved. */
  check(request: Partial<ratelimitV1.CheckLimitRequest>): Promise<ratelimitV1.CheckLimitResponse>;
  getLimitStatus(request: ratelimitV1.GetLimitStatusRequest): Promise<ratelimitV1.GetLimitStatusResponse>;
  listRules(request: ratelimitV1.ListRulesRequest): Promise<ratelimitV1.ListRulesResponse>;
  /** ResetLimit (an admin RPC), with `bearer` as the caller's access token when given. */
  resetLimit(
    request: ratelimitV1.ResetLimitRequest,
    bearer?: string,
  ): Promise<ratelimitV1.ResetLimitResponse>;
  release(request: ratelimitV1.ReleaseRequest): Promise<ratelimitV1.ReleaseResponse>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Rules YAML written to a temporary file (RATELIMIT_CONFIG); or several files by name, written to
   * a temporary directory that RATELIMIT_CONFIG then names.
   */
  rules: string | Readonly<Record<string, string>>;
  /** The tests' Redis (`redis`) or Redis Cluster (`cluster`); memory when neither this nor redisUrl is set. */
  redis?: RedisBackend;
  /** Another Redis URL (e.g. a proxy in front of the tests' Redis), REDIS_CLUSTER left to auto-detection. */
  redisUrl?: string;
  /** Share a key prefix with another replica; fresh when absent. */
  keyPrefix?: string;
  env?: Env;
  clock?: Clock;
  logger?: Logger;
  /** Who calls ResetLimit; default the auth service at RATELIMIT_AUTH_ADDR. See `adminIdentity`. */
  callerIdentity?: CallerIdentity;
}

/** A CallerIdentity that vouches for every caller as an admin: for tests that are not about access. */
export const adminIdentity: CallerIdentity = {
  identify: async () =>
    authV1.Principal.fromPartial({
      subject: 'test-admin',
      kind: authV1.PrincipalKind.PRINCIPAL_KIND_USER,
      roles: ['admin'],
    }),
  close: () => undefined,
};

/** Starts the rate-limit composition root in this process on 127.0.0.1:0 with its own rules and key prefix. */
export async function startRateLimit(options: StartOptions): Promise<RateLimitUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rules-'));
  const files = typeof options.rules === 'string' ? { 'rules.yaml': options.rules } : options.rules;
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const rulesFile = join(dir, Object.keys(files)[0] ?? 'rules.yaml');
  const keyPrefix = options.keyPrefix ?? `${uniqueName('rl')}:`;
  const redisUrl = options.redisUrl ?? (options.redis === undefined ? undefined : redisUrlOf(options.redis));
  const env: Env = {
    RATELIMIT_CONFIG: typeof options.rules === 'string' ? rulesFile : dir,
    RATELIMIT_RELOAD_DEBOUNCE_MS: '50',
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix } : {}),
    ...(options.redis === undefined ? {} : { REDIS_CLUSTER: String(options.redis === 'cluster') }),
    ...options.env,
  };
  const common = testCommonConfig(env, 'rate-limit');
  const reader = new EnvReader(env);
  const config = reader.finish({ ...common, rateLimit: readRateLimitSettings(reader) });
  const logger = options.logger ?? createLogger({ service: 'rate-limit', level: 'silent' });
  const host = await startRateLimitApp(config, logger, {
    clock: options.clock,
    callerIdentity: options.callerIdentity,
  });
  const address = `127.0.0.1:${host.grpcPort}`;
  const client = new ratelimitV1.RateLimitServiceClient(address, credentials.createInsecure());
  const envoy = new envoyRateLimitV3.RateLimitServiceClient(address, credentials.createInsecure());
  return {
    host,
    address,
    client,
    envoy,
    rulesFile,
    rulesDir: dir,
    keyPrefix,
    check: (request) =>
      new Promise((resolve, reject) =>
        client.checkLimit({ domain: '', descriptors: [], ...request }, new Metadata(), (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      ),
    shouldRateLimit: (request) => unaryCall(envoy, envoy.shouldRateLimit, request, new Metadata()),
    getLimitStatus: (request) => unaryCall(client, client.getLimitStatus, request, new Metadata()),
    listRules: (request) => unaryCall(client, client.listRules, request, new Metadata()),
    resetLimit: (request, bearer) => {
      const metadata = new Metadata();
      if (bearer !== undefined) metadata.set('authorization', `Bearer ${bearer}`);
      return unaryCall(client, client.resetLimit, request, metadata);
    },
    release: (request) => unaryCall(client, client.release, request, new Metadata()),
    stop: async () => {
      client.close();
      envoy.close();
      await host.shutdown();
      rmSync(dir, { recursive: true, force: true });
      if (redisUrl && options.keyPrefix === undefined) await dropKeys(keyPrefix, options.redis ?? 'redis');
    },
  };
}

/** The service on the test Redis through a TCP proxy (test/support/tcp-proxy), to play Redis outages. */
export async function startRateLimitBehindProxy(
  options: Omit<StartOptions, 'redisUrl'>,
): Promise<{ service: RateLimitUnderTest; proxy: TcpProxy }> {
  const redis = new URL(testRedisUrl);
  const proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
  const service = await startRateLimit({ ...options, redisUrl: `redis://127.0.0.1:${proxy.port}` });
  return { service, proxy };
}

/** Deletes every key under `prefix` from the tests' Redis or Redis Cluster. */
export async function dropKeys(prefix: string, backend: RedisBackend = 'redis'): Promise<void> {
  const redis = await openTestRedis(backend);
  try {
    await redis.drop(prefix);
  } finally {
    await redis.close();
  }
}

/** One descriptor from `key=value` pairs. */
export function descriptor(...pairs: string[]): ratelimitV1.RateLimitDescriptor {
  return {
    entries: pairs.map((pair) => {
      const [key = '', value = ''] = pair.split('=');
      return { key, value };
    }),
    limit: undefined,
  };
}
