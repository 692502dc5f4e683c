import { describe, expect, it } from 'vitest';
import { configProblems } from '../../../test/support/config-problems';
import { readAuthConfig } from './config';

const problems = (env: Record<string, string>) => configProblems(() => readAuthConfig(env));

describe('readAuthConfig', () => {
  it('defaults to bcrypt cost 12, 30 min access / 7 day refresh tokens, lockout 5 in 15 min for 15 min', () => {
    const { auth } = readAuthConfig({});
    expect(auth.bcryptCost).toBe(12);
    expect(auth.accessTokenTtlSeconds).toBe(1800);
    expect(auth.refreshTokenTtlSeconds).toBe(7 * 24 * 3600);
    expect([auth.lockoutMaxFailures, auth.lockoutWindowSeconds, auth.lockoutDurationSeconds]).toEqual([
      5, 900, 900,
    ]);
    expect(auth.cacheMaxAgeMs).toBe(1000);
    expect(auth.usingDevEncryptionKey).toBe(true);
    expect(Object.isFrozen(auth)).toBe(true);
  });

  it('refuses a bcrypt cost below 10 unless the test flag is set', () => {
    expect(problems({ BCRYPT_COST: '9' })).toEqual([
      'BCRYPT_COST: must be at least 10 (got 9); lower is for tests only',
    ]);
    expect(problems({ BCRYPT_COST: '4', AUTH_ALLOW_WEAK_BCRYPT_FOR_TESTS: 'true' })).toEqual([]);
  });

  it('requires a 32-byte AUTH_KEY_ENCRYPTION_KEY with DATABASE_URL and never prints it', () => {
    expect(problems({ DATABASE_URL: 'postgres://db:5432/x' })).toEqual([
      'AUTH_KEY_ENCRYPTION_KEY: is required with DATABASE_URL: 32 random bytes, base64 (openssl rand -base64 32)',
    ]);
    const short = problems({ AUTH_KEY_ENCRYPTION_KEY: 'c2VjcmV0LXZhbHVl' });
    expect(short).toEqual([
      'AUTH_KEY_ENCRYPTION_KEY: must be 32 bytes in base64 (44 characters), got 12 bytes',
    ]);
    expect(short.join()).not.toContain('c2VjcmV0LXZhbHVl');
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(
      readAuthConfig({ DATABASE_URL: 'postgres://db:5432/x', AUTH_KEY_ENCRYPTION_KEY: key }).auth
        .usingDevEncryptionKey,
    ).toBe(false);
  });

  it('names each bad variable', () => {
    expect(
      problems({
        AUTH_ACCESS_TOKEN_TTL_SECONDS: 'soon',
        GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL: 'a@b.co',
        AUTH_API_KEY_PREFIX: 'Bad',
      }),
    ).toEqual([
      'GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD: must be set together with GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL',
      'AUTH_ACCESS_TOKEN_TTL_SECONDS: must be an integer from 10 to 86400, got "soon"',
      'AUTH_API_KEY_PREFIX: must look like "gh_live_" (lower-case, ends with _), got "Bad"',
    ]);
  });
});
