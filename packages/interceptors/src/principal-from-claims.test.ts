import { authV1 } from '@gatehouse/contracts';
import { describe, expect, it } from 'vitest';
import { principalFromClaims, type AccessTokenClaims } from './principal-from-claims';

const claims = (roles: string[], extra: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  iss: 'gatehouse-auth',
  aud: 'gatehouse',
  sub: 'usr_1',
  jti: 'j',
  sid: 's',
  iat: 1_700_000_000,
  exp: 1_700_001_800,
  roles,
  scopes: ['notes:read'],
  tier: 'premium',
  email: 'ann@example.com',
  ...extra,
});

describe('principalFromClaims', () => {
  it('builds every field as the auth service does for a user', () => {
    expect(principalFromClaims(claims(['user', 'admin']))).toEqual({
      subject: 'usr_1',
      kind: authV1.PrincipalKind.PRINCIPAL_KIND_USER,
      email: 'ann@example.com',
      roles: ['user', 'admin'],
      scopes: ['notes:read'],
      tier: 'premium',
      apiKeyId: '',
      expiresAt: new Date(1_700_001_800_000),
    });
  });

  it('is a SERVICE principal only for a subject whose roles include service but not user or admin', () => {
    expect(principalFromClaims(claims(['service'])).kind).toBe(authV1.PrincipalKind.PRINCIPAL_KIND_SERVICE);
    expect(principalFromClaims(claims(['service', 'user'])).kind).toBe(
      authV1.PrincipalKind.PRINCIPAL_KIND_USER,
    );
  });

  it('reads absent scopes and email as empty', () => {
    const principal = principalFromClaims(claims(['user'], { scopes: undefined, email: undefined }));
    expect(principal.scopes).toEqual([]);
    expect(principal.email).toBe('');
  });
});
