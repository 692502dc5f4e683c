import { describe, expect, it } from 'vitest';
import { isServiceAccount, unmetRequirement } from './principal-rules';

describe('unmetRequirement', () => {
  const held = { scopes: ['notes:read'], roles: ['user'] };

  it('is undefined when every scope and role is held, or nothing is demanded', () => {
    expect(unmetRequirement(held, { scopes: ['notes:read'], roles: ['user'] })).toBeUndefined();
    expect(unmetRequirement(held, {})).toBeUndefined();
  });

  it('names every missing scope first, then every missing role', () => {
    expect(unmetRequirement(held, { scopes: ['a', 'notes:read', 'b'], roles: ['admin'] })).toEqual({
      reason: 'MISSING_SCOPE',
      message: 'the credential lacks scope(s) a, b',
    });
    expect(unmetRequirement(held, { roles: ['admin', 'user', 'ops'] })).toEqual({
      reason: 'MISSING_ROLE',
      message: 'the subject lacks role(s) admin, ops',
    });
  });

  it('lets the scope "*" stand for any scope, but never for a role', () => {
    const wildcard = { scopes: ['*'], roles: [] };
    expect(unmetRequirement(wildcard, { scopes: ['anything'] })).toBeUndefined();
    expect(unmetRequirement(wildcard, { roles: ['admin'] })?.reason).toBe('MISSING_ROLE');
  });
});

describe('isServiceAccount', () => {
  it('is a service account with role service and neither user nor admin', () => {
    expect(isServiceAccount(['service'])).toBe(true);
    expect(isServiceAccount(['service', 'reader'])).toBe(true);
    expect(isServiceAccount(['service', 'user'])).toBe(false);
    expect(isServiceAccount(['service', 'admin'])).toBe(false);
    expect(isServiceAccount(['user'])).toBe(false);
  });
});
