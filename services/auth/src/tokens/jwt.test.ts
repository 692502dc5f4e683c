import { generateKeyPairSync } from 'node:crypto';
import { accessTokenType, refreshTokenType, signJwt, type TokenClaims } from '@gatehouse/credentials';
import { GatehouseError } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import { verifyJwt, type VerifyExpectations } from './jwt';

// The rules themselves are specified in @gatehouse/credentials (compact-jwt.test.ts); this is the
// service's side: keys looked up asynchronously, refusals as GatehouseErrors.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'kid-current-0001';
const now = 1_800_000_000;
const claims: TokenClaims = {
  iss: 'gatehouse-auth',
  aud: 'gatehouse',
  sub: 'usr_1',
  jti: 'j1',
  sid: 's1',
  iat: now,
  exp: now + 1800,
};
const expectations: VerifyExpectations = {
  typ: accessTokenType,
  issuer: 'gatehouse-auth',
  audience: 'gatehouse',
  nowSeconds: now + 10,
  skewSeconds: 30,
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
      nowSeconds: claims.exp + 30,
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
