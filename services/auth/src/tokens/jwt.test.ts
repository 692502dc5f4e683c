import { generateKeyPairSync } from 'node:crypto';
import { accessTokenType, refreshTokenType, signJwt, type TokenClaims } from '@gatehouse/credentials';
import { GatehouseError } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import { verifyJwt, type VerifyExpectations } from './jwt';

// The rules themselves are specified in @gatehouse/credentials (compact-jwt.test.ts); this is the
// service's side: keys looked up asynchronously, refusals as GatehouseErrors.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'kid-auth-test-01';
const issuedAt = 1_800_000_000;
/** An access token's claims as the service issues them: with the user's roles, tier and email. */
const claims: TokenClaims = {
  iss: 'https://auth.example',
  aud: 'example-services',
  sub: 'usr_ann',
  jti: 'at-1',
  sid: 'fam-1',
  iat: issuedAt,
  exp: issuedAt + 900,
  roles: ['user'],
  scopes: ['notes:read'],
  tier: 'pro',
  email: 'ann@example.com',
};
const expectations: VerifyExpectations = {
  typ: accessTokenType,
  issuer: claims.iss,
  audience: 'example-services',
  nowSeconds: issuedAt + 60,
  skewSeconds: 5,
  key: async (id) => (id === kid ? publicKey : undefined),
};

async function refusalOf(token: string, override: Partial<VerifyExpectations> = {}): Promise<GatehouseError> {
  const error = await verifyJwt(token, { ...expectations, ...override }).then(
    () => new Error('token was accepted'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GatehouseError);
  return error as GatehouseError;
}

describe('verifyJwt', () => {
  it('accepts a token signed by a key found asynchronously and returns its claims', async () => {
    await expect(verifyJwt(signJwt(claims, accessTokenType, kid, privateKey), expectations)).resolves.toEqual(
      claims,
    );
  });

  it('refuses UNAUTHENTICATED with the shared reason and words', async () => {
    const expired = await refusalOf(signJwt(claims, accessTokenType, kid, privateKey), {
      nowSeconds: claims.exp + 5,
    });
    expect([expired.code, expired.reason, expired.message]).toEqual([
      'UNAUTHENTICATED',
      'TOKEN_EXPIRED',
      'token has expired',
    ]);
    const refresh = await refusalOf(signJwt(claims, refreshTokenType, kid, privateKey));
    expect(refresh.reason).toBe('TOKEN_TYPE_MISMATCH');
    expect((await refusalOf('not-a-token')).reason).toBe('TOKEN_MALFORMED');
  });

  it('refuses a kid the lookup does not know, without checking the signature', async () => {
    const token = signJwt(claims, accessTokenType, 'kid-unknown-0002', privateKey);
    expect((await refusalOf(token)).reason).toBe('TOKEN_KID_UNKNOWN');
  });
});
