import { GatehouseError } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import { readAuthConfig } from '../config';
import { createPasswordHasher, exceedsBcryptLimit } from './password-hasher';
import { assessPassword, enforcePasswordPolicy } from './password-policy';

const policy = readAuthConfig({}).auth.passwordPolicy;

describe('password policy', () => {
  it('accepts a long, varied password with a high score', () => {
    const result = assessPassword('Corr3ct-Horse-Battery!', 'ann@example.com', policy);
    expect(result).toMatchObject({ accepted: true, feedback: [] });
    expect(result.score).toBeGreaterThanOrEqual(0.9);
  });

  it('explains every problem of a weak password, with a low score', () => {
    const result = assessPassword('aaaa', 'ann@example.com', policy);
    expect(result.accepted).toBe(false);
    expect(result.score).toBeLessThan(0.3);
    expect(result.feedback).toEqual([
      'use at least 8 characters (got 4)',
      'add an upper-case letter',
      'add a digit',
      'add a special character (e.g. !, #, or a space)',
      'avoid repeating the same characters',
      expect.stringMatching(/^too easy to guess \(strength 0\.\d\d, need 0\.50\)/),
    ]);
  });

  it('refuses a password based on the email', () => {
    expect(assessPassword('Ann.Smith-2024!', 'ann.smith@example.com', policy).feedback).toContain(
      'do not base the password on your email address',
    );
  });

  it('refuses more than 72 UTF-8 bytes, counting bytes not characters', () => {
    const emoji = `Aa1!${'é'.repeat(35)}`; // 4 + 70 bytes = 74 bytes in 39 characters
    expect(exceedsBcryptLimit(emoji)).toBe(true);
    expect(assessPassword(emoji, 'ann@example.com', policy).feedback).toContain(
      'use at most 72 bytes in UTF-8 (got 74); longer passwords are not truncated',
    );
  });

  it('throws INVALID_ARGUMENT naming the field with score and feedback in the details', () => {
    let error: unknown;
    try {
      enforcePasswordPolicy('new_password', 'short', 'ann@example.com', policy);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatehouseError);
    const failure = error as GatehouseError;
    expect(failure.code).toBe('INVALID_ARGUMENT');
    expect(failure.field).toBe('new_password');
    expect(failure.reason).toBe('PASSWORD_POLICY');
    expect(failure.message).toMatch(
      /^new_password: does not meet the password policy: use at least 8 characters/,
    );
    expect(Number(failure.metadata.score)).toBeLessThan(0.5);
    expect(failure.metadata.feedback?.split('\n')).toContain('add a digit');
  });
});

describe('password hasher', () => {
  it('never accepts a longer password whose first 72 bytes match (bcrypt would truncate)', async () => {
    const hasher = createPasswordHasher({ cost: 4, concurrency: 1, queueMax: 10 });
    const exactly72 = `Aa1!${'x'.repeat(68)}`;
    const hash = await hasher.hash(exactly72);
    expect(await hasher.verify(exactly72, hash)).toBe(true);
    expect(await hasher.verify(`${exactly72}anything-else`, hash)).toBe(false);
  });

  it('asks for a rehash when the cost changed', async () => {
    const old = createPasswordHasher({ cost: 4, concurrency: 1, queueMax: 10 });
    const hash = await old.hash('x');
    expect(old.needsRehash(hash)).toBe(false);
    expect(createPasswordHasher({ cost: 5, concurrency: 1, queueMax: 10 }).needsRehash(hash)).toBe(true);
  });

  it('runs at most `concurrency` hashes at once and refuses beyond the queue', async () => {
    const hasher = createPasswordHasher({ cost: 4, concurrency: 1, queueMax: 2 });
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => hasher.hash('pw')));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(((results[3] as PromiseRejectedResult).reason as GatehouseError).code).toBe('RESOURCE_EXHAUSTED');
  });
});
