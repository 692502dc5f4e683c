import { availableParallelism } from 'node:os';
import { EnvReader, readCommonConfig, type CommonConfig, type Env } from '@gatehouse/config';
import { readFederationSettings, type FederationSettings } from './federation/federation-config';

/** Password rules (AUTH_PASSWORD_*). */
export interface PasswordPolicyConfig {
  /** AUTH_PASSWORD_MIN_LENGTH, default 8 (characters). */
  minLength: number;
  /** AUTH_PASSWORD_MAX_LENGTH, default 128 (characters; never more than 72 UTF-8 bytes either). */
  maxLength: number;
  /** AUTH_PASSWORD_REQUIRE_CLASSES, default true: upper, lower, digit and special all required. */
  requireClasses: boolean;
  /** AUTH_PASSWORD_MIN_SCORE, default 50 (percent): least strength score accepted, 0..100. */
  minScore: number;
}

/** What the auth service reads besides the common keys. Durations in milliseconds unless named. */
export interface AuthSettings {
  /** AUTH_ISSUER, default `gatehouse-auth`: the `iss` of every token. */
  issuer: string;
  /** AUTH_AUDIENCE, default `gatehouse`: the `aud` of every token. */
  audience: string;
  /** AUTH_ALLOW_REGISTRATION, default true. */
  allowRegistration: boolean;
  /** BCRYPT_COST, default 12; refused below 10 unless AUTH_ALLOW_WEAK_BCRYPT_FOR_TESTS=true. */
  bcryptCost: number;
  /** AUTH_BCRYPT_CONCURRENCY, default cores - 1 (at least 1): bcrypt operations running at once. */
  bcryptConcurrency: number;
  /** AUTH_BCRYPT_QUEUE_MAX, default 256: waiting bcrypt operations before RESOURCE_EXHAUSTED. */
  bcryptQueueMax: number;
  passwordPolicy: PasswordPolicyConfig;
  /** AUTH_ACCESS_TOKEN_TTL_SECONDS, default 1800. */
  accessTokenTtlSeconds: number;
  /** AUTH_REFRESH_TOKEN_TTL_SECONDS, default 604800 (7 days). */
  refreshTokenTtlSeconds: number;
  /** AUTH_CLOCK_SKEW_SECONDS, default 30: tolerance on exp / nbf / iat. */
  clockSkewSeconds: number;
  /** AUTH_USER_SCOPES, default `*`: comma-separated scopes carried by users' access tokens. */
  userScopes: readonly string[];
  /** AUTH_LOCKOUT_MAX_FAILURES, default 5 failed logins ... */
  lockoutMaxFailures: number;
  /** AUTH_LOCKOUT_WINDOW_SECONDS, default 900: ... within this window ... */
  lockoutWindowSeconds: number;
  /** AUTH_LOCKOUT_DURATION_SECONDS, default 900: ... lock the account this long. */
  lockoutDurationSeconds: number;
  /** AUTH_KEY_ENCRYPTION_KEY: 32 bytes as base64; required with DATABASE_URL, dev default on embedded. */
  keyEncryptionSecret: string;
  /** True when the built-in development encryption key is in use (embedded store only). */
  usingDevEncryptionKey: boolean;
  /** AUTH_KEY_ROTATION_INTERVAL_SECONDS, default 2592000 (30 days); 0 turns scheduled rotation off. */
  keyRotationIntervalSeconds: number;
  /** AUTH_KEY_PUBLISH_AHEAD_SECONDS, default 600: a new key is in the JWKS this long before it signs. */
  keyPublishAheadSeconds: number;
  /** AUTH_CACHE_MAX_ENTRIES, default 100000: verified credentials kept in memory. */
  cacheMaxEntries: number;
  /** AUTH_CACHE_MAX_AGE_MS, default 1000: longest a cached verification is trusted (staleness bound). */
  cacheMaxAgeMs: number;
  /** AUTH_API_KEY_PREFIX, default `gh_live_`. */
  apiKeyPrefix: string;
  /** AUTH_LAST_USED_FLUSH_MS, default 10000: how often API-key last-used times are written. */
  lastUsedFlushMs: number;
  /** GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL / _PASSWORD: created with role admin at start when absent. */
  bootstrapAdmin?: { email: string; password: string };
  /** AUTH_FEDERATION_*: login with OpenID Connect providers and GitHub (docs/auth.md). */
  federation: FederationSettings;
}

export type AuthConfig = CommonConfig & { auth: AuthSettings };

/** Development-only key for encrypting signing keys in the embedded store. Never used with DATABASE_URL. */
const devEncryptionKey = Buffer.alloc(32, 'gatehouse-dev-only-key').toString('base64');

export function readAuthConfig(env: Env): Readonly<AuthConfig> {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader, { service: 'auth', grpcPort: 50051, opsPort: 8081 });
  return reader.finish({ ...common, auth: readAuthSettings(reader, common.databaseUrl !== undefined) });
}

/** The auth-specific keys; `productionStore` (DATABASE_URL set) makes the encryption key required. */
export function readAuthSettings(env: EnvReader, productionStore: boolean): AuthSettings {
  const weakAllowed = env.boolean('AUTH_ALLOW_WEAK_BCRYPT_FOR_TESTS', false);
  const bcryptCost = env.integer('BCRYPT_COST', 12, { min: 4, max: 31 });
  if (bcryptCost < 10 && !weakAllowed) {
    env.fail('BCRYPT_COST', `must be at least 10 (got ${bcryptCost}); lower is for tests only`);
  }
  const minLength = env.integer('AUTH_PASSWORD_MIN_LENGTH', 8, { min: 1, max: 72 });
  const maxLength = env.integer('AUTH_PASSWORD_MAX_LENGTH', 128, { min: minLength, max: 1024 });
  const encryption = readEncryptionKey(env, productionStore);
  const adminEmail = env.optionalString('GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL');
  const adminPassword = env.optionalString('GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    env.fail(
      'GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD',
      'must be set together with GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL',
    );
  }
  const userScopes = env
    .string('AUTH_USER_SCOPES', '*')
    .split(',')
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
  return {
    issuer: env.string('AUTH_ISSUER', 'gatehouse-auth'),
    audience: env.string('AUTH_AUDIENCE', 'gatehouse'),
    allowRegistration: env.boolean('AUTH_ALLOW_REGISTRATION', true),
    bcryptCost,
    bcryptConcurrency: env.integer('AUTH_BCRYPT_CONCURRENCY', Math.max(1, availableParallelism() - 1), {
      min: 1,
      max: 64,
    }),
    bcryptQueueMax: env.integer('AUTH_BCRYPT_QUEUE_MAX', 256, { min: 0, max: 100_000 }),
    passwordPolicy: {
      minLength,
      maxLength,
      requireClasses: env.boolean('AUTH_PASSWORD_REQUIRE_CLASSES', true),
      minScore: env.integer('AUTH_PASSWORD_MIN_SCORE', 50, { min: 0, max: 100 }),
    },
    accessTokenTtlSeconds: env.integer('AUTH_ACCESS_TOKEN_TTL_SECONDS', 1800, { min: 10, max: 86_400 }),
    refreshTokenTtlSeconds: env.integer('AUTH_REFRESH_TOKEN_TTL_SECONDS', 604_800, {
      min: 60,
      max: 90 * 86_400,
    }),
    clockSkewSeconds: env.integer('AUTH_CLOCK_SKEW_SECONDS', 30, { min: 0, max: 300 }),
    userScopes,
    lockoutMaxFailures: env.integer('AUTH_LOCKOUT_MAX_FAILURES', 5, { min: 1, max: 1000 }),
    lockoutWindowSeconds: env.integer('AUTH_LOCKOUT_WINDOW_SECONDS', 900, { min: 1, max: 86_400 }),
    lockoutDurationSeconds: env.integer('AUTH_LOCKOUT_DURATION_SECONDS', 900, { min: 1, max: 86_400 }),
    keyEncryptionSecret: encryption.key,
    usingDevEncryptionKey: encryption.dev,
    keyRotationIntervalSeconds: env.integer('AUTH_KEY_ROTATION_INTERVAL_SECONDS', 2_592_000, {
      min: 0,
      max: 10 * 365 * 86_400,
    }),
    keyPublishAheadSeconds: env.integer('AUTH_KEY_PUBLISH_AHEAD_SECONDS', 600, { min: 0, max: 7 * 86_400 }),
    cacheMaxEntries: env.integer('AUTH_CACHE_MAX_ENTRIES', 100_000, { min: 0, max: 10_000_000 }),
    cacheMaxAgeMs: env.integer('AUTH_CACHE_MAX_AGE_MS', 1000, { min: 0, max: 60_000 }),
    apiKeyPrefix: readApiKeyPrefix(env),
    lastUsedFlushMs: env.integer('AUTH_LAST_USED_FLUSH_MS', 10_000, { min: 100, max: 3_600_000 }),
    bootstrapAdmin:
      adminEmail !== undefined && adminPassword !== undefined
        ? { email: adminEmail, password: adminPassword }
        : undefined,
    federation: readFederationSettings(env),
  };
}

function readEncryptionKey(env: EnvReader, productionStore: boolean): { key: string; dev: boolean } {
  const name = 'AUTH_KEY_ENCRYPTION_KEY';
  const raw = env.optionalString(name);
  if (raw === undefined) {
    if (productionStore) {
      env.fail(name, 'is required with DATABASE_URL: 32 random bytes, base64 (openssl rand -base64 32)');
    }
    return { key: devEncryptionKey, dev: true };
  }
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) {
    env.fail(name, `must be 32 bytes in base64 (44 characters), got ${key.length} bytes`);
    return { key: devEncryptionKey, dev: true };
  }
  return { key: raw, dev: false };
}

function readApiKeyPrefix(env: EnvReader): string {
  const prefix = env.string('AUTH_API_KEY_PREFIX', 'gh_live_');
  if (!/^[a-z][a-z0-9]{0,15}_([a-z0-9]{1,15}_)?$/.test(prefix)) {
    env.fail(
      'AUTH_API_KEY_PREFIX',
      `must look like "gh_live_" (lower-case, ends with _), got ${JSON.stringify(prefix)}`,
    );
  }
  return prefix;
}
