import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import * as jose from 'jose';
import { describe, expect, it } from 'vitest';
import {
  accessTokenType,
  readJwt,
  refreshTokenType,
  signJwt,
  verifyJwtClaims,
  type TokenType,
} from './compact-jwt';
import type { ClaimExpectations, TokenClaims } from './token-claims';

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
interface Expectations extends ClaimExpectations {
  typ: TokenType;
  key: (kid: string) => KeyObject | undefined;
}
const expectations: Expectations = {
  typ: accessTokenType,
  issuer: 'gatehouse-auth',
  audience: 'gatehouse',
  nowSeconds: now + 10,
  skewSeconds: 30,
  key: (id) => (id === kid ? publicKey : undefined),
};
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** readJwt, the key by kid, then verifyJwtClaims: what both verifiers do. */
function verify(token: string, override: Partial<Expectations> = {}): TokenClaims | string {
  const expect = { ...expectations, ...override };
  const jwt = readJwt(token, expect.typ);
  if (typeof jwt === 'string') return jwt;
  const key = expect.key(jwt.kid);
  if (key === undefined) return 'TOKEN_KID_UNKNOWN';
  return verifyJwtClaims(jwt, key, expect);
}

/** The reason `token` is refused with (fails the test when it is accepted). */
async function refusal(token: string, override: Partial<Expectations> = {}): Promise<string> {
  const outcome = verify(token, override);
  if (typeof outcome !== 'string') throw new Error('token was accepted');
  return outcome;
}

/** An RS256 token with any header at all (no library checks in the way). */
async function forge(
  header: Record<string, unknown>,
  payload: object,
  key: KeyObject = privateKey,
): Promise<string> {
  const signed = `${b64(header)}.${b64(payload)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
}

describe('readJwt + verifyJwtClaims', () => {
  it('accepts a token it signed and returns its claims', async () => {
    const token = signJwt(claims, accessTokenType, kid, privateKey);
    expect(verify(token)).toEqual(claims);
  });

  it('refuses alg none (unsigned tokens)', async () => {
    const token = `${b64({ alg: 'none', kid, typ: accessTokenType })}.${b64(claims)}.`;
    expect(await refusal(token)).toBe('TOKEN_MALFORMED');
    const withJunk = `${b64({ alg: 'none', kid, typ: accessTokenType })}.${b64(claims)}.AAAA`;
    expect(await refusal(withJunk)).toBe('TOKEN_ALGORITHM_REJECTED');
  });

  it('refuses an HMAC token signed with the public key as the secret (algorithm confusion)', async () => {
    const secret = Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const signed = `${b64({ alg: 'HS256', kid, typ: accessTokenType })}.${b64(claims)}`;
    const mac = createHmac('sha256', secret).update(signed).digest('base64url');
    expect(await refusal(`${signed}.${mac}`)).toBe('TOKEN_ALGORITHM_REJECTED');
  });

  it.each(['ES256', 'EdDSA', 'PS256', 'RS512'])('refuses alg %s even with a valid signature', async (alg) => {
    const pair = await jose.generateKeyPair(alg, { extractable: true });
    const token = await new jose.SignJWT({ ...claims })
      .setProtectedHeader({ alg, kid, typ: accessTokenType })
      .sign(pair.privateKey);
    expect(await refusal(token)).toBe('TOKEN_ALGORITHM_REJECTED');
  });

  it.each([
    ['jwk', { kty: 'RSA', n: 'x', e: 'AQAB' }],
    ['jku', 'https://attacker.example/jwks.json'],
    ['x5u', 'https://attacker.example/cert.pem'],
    ['x5c', ['MIIB']],
    ['crit', ['exp']],
  ])('refuses a token with a %s header, even when correctly signed', async (name, value) => {
    const token = await forge({ alg: 'RS256', kid, typ: accessTokenType, [name]: value }, claims);
    expect(await refusal(token)).toBe('TOKEN_HEADER_REJECTED');
  });

  it('refuses a token carrying its own key in jwk, signed by that key', async () => {
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = attacker.publicKey.export({ format: 'jwk' });
    const token = await forge({ alg: 'RS256', kid, typ: accessTokenType, jwk }, claims, attacker.privateKey);
    expect(await refusal(token)).toBe('TOKEN_HEADER_REJECTED');
  });

  it.each([
    ['../../../../dev/null', 'TOKEN_KID_UNKNOWN'],
    ["x' OR '1'='1", 'TOKEN_KID_UNKNOWN'],
    ['', 'TOKEN_KID_UNKNOWN'],
    ['unknown-kid-0002', 'TOKEN_KID_UNKNOWN'],
  ])('refuses kid %j', async (badKid, reason) => {
    const token = await forge({ alg: 'RS256', kid: badKid, typ: accessTokenType }, claims);
    expect(await refusal(token)).toBe(reason);
    const noKid = await forge({ alg: 'RS256', typ: accessTokenType }, claims);
    expect(await refusal(noKid)).toBe('TOKEN_KID_UNKNOWN');
  });

  it('refuses a token signed by another key under our kid', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(await refusal(signJwt(claims, accessTokenType, kid, other.privateKey))).toBe(
      'TOKEN_SIGNATURE_INVALID',
    );
  });

  it('refuses missing or wrong iss, aud and typ', async () => {
    const { iss: _iss, aud: _aud, ...bare } = claims;
    expect(await refusal(signJwt({ ...claims, iss: 'evil' }, accessTokenType, kid, privateKey))).toBe(
      'TOKEN_ISSUER_MISMATCH',
    );
    expect(await refusal(signJwt(bare as TokenClaims, accessTokenType, kid, privateKey))).toBe(
      'TOKEN_ISSUER_MISMATCH',
    );
    expect(await refusal(signJwt({ ...claims, aud: 'other' }, accessTokenType, kid, privateKey))).toBe(
      'TOKEN_AUDIENCE_MISMATCH',
    );
    expect(
      await refusal(signJwt({ ...bare, iss: claims.iss } as TokenClaims, accessTokenType, kid, privateKey)),
    ).toBe('TOKEN_AUDIENCE_MISMATCH');
    const noTyp = await forge({ alg: 'RS256', kid }, claims);
    expect(await refusal(noTyp)).toBe('TOKEN_TYPE_MISMATCH');
    const jwtTyp = await forge({ alg: 'RS256', kid, typ: 'JWT' }, claims);
    expect(await refusal(jwtTyp)).toBe('TOKEN_TYPE_MISMATCH');
  });

  it('refuses a refresh token presented as an access token, and the reverse', async () => {
    const refresh = signJwt(claims, refreshTokenType, kid, privateKey);
    expect(await refusal(refresh)).toBe('TOKEN_TYPE_MISMATCH');
    const access = signJwt(claims, accessTokenType, kid, privateKey);
    expect(await refusal(access, { typ: refreshTokenType })).toBe('TOKEN_TYPE_MISMATCH');
  });

  it('refuses expired and not-yet-valid tokens, within the configured skew', async () => {
    const token = signJwt(claims, accessTokenType, kid, privateKey);
    expect(verify(token, { nowSeconds: claims.exp + 29 })).toEqual(claims);
    expect(await refusal(token, { nowSeconds: claims.exp + 30 })).toBe('TOKEN_EXPIRED');
    expect(verify(token, { nowSeconds: now - 30 })).toEqual(claims);
    expect(await refusal(token, { nowSeconds: now - 31 })).toBe('TOKEN_NOT_YET_VALID');
    const nbf = signJwt({ ...claims, nbf: now + 600 } as TokenClaims, accessTokenType, kid, privateKey);
    expect(await refusal(nbf)).toBe('TOKEN_NOT_YET_VALID');
  });

  it('refuses tokens with missing or mistyped claims', async () => {
    for (const broken of [
      { sub: '' },
      { jti: 7 },
      { exp: 'later' },
      { sid: undefined },
      { roles: 'admin' },
      { scopes: [1] },
      { tier: 3 },
      { email: false },
    ]) {
      const token = signJwt(
        { ...claims, ...broken } as unknown as TokenClaims,
        accessTokenType,
        kid,
        privateKey,
      );
      expect(await refusal(token)).toBe('TOKEN_CLAIMS_INVALID');
    }
  });

  it('refuses malformed tokens', async () => {
    for (const token of [
      '',
      'a.b',
      'a.b.c.d',
      '...',
      'x'.repeat(9000),
      `${b64([1])}.${b64(claims)}.AA`,
      'e30.e30.AA',
    ]) {
      expect(['TOKEN_MALFORMED', 'TOKEN_ALGORITHM_REJECTED']).toContain(await refusal(token));
    }
  });
});

describe('the audience claim', () => {
  it('accepts a list holding the expected audience and refuses one without it', async () => {
    expect(
      verify(signJwt({ ...claims, aud: ['other', 'gatehouse'] }, accessTokenType, kid, privateKey)),
    ).toEqual({
      ...claims,
      aud: ['other', 'gatehouse'],
    });
    expect(await refusal(signJwt({ ...claims, aud: ['other'] }, accessTokenType, kid, privateKey))).toBe(
      'TOKEN_AUDIENCE_MISMATCH',
    );
  });
});

describe('signJwt', () => {
  it('writes the header RS256 / kid / typ and a signature jose accepts', async () => {
    const token = signJwt(claims, refreshTokenType, kid, privateKey);
    const { payload, protectedHeader } = await jose.compactVerify(token, publicKey);
    expect(protectedHeader).toEqual({ alg: 'RS256', kid, typ: refreshTokenType });
    expect(JSON.parse(Buffer.from(payload).toString())).toEqual(claims);
  });
});
