import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authV1 } from '@gatehouse/contracts';
import {
  callError,
  goodPassword,
  startAuth,
  type CallerCredential,
  type StartedAuth,
} from '../../services/auth/src/test-support/start-auth';

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** A token differing from `token` in at least one decoded bit of one of its three segments. */
const mutatedToken = (token: string): fc.Arbitrary<string> =>
  fc
    .record({
      segment: fc.integer({ min: 0, max: 2 }),
      position: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
    })
    .map(({ segment, position, bit }) => {
      const parts = token.split('.');
      const bytes = Buffer.from(parts[segment]!, 'base64url');
      bytes[position % bytes.length]! ^= 1 << bit;
      parts[segment] = base64url(bytes);
      return parts.join('.');
    });

/** Well-formed JWTs the service never issued: forged claims, alg "none", swapped segments. */
const forgedToken = (token: string): fc.Arbitrary<string> => {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  return fc.oneof(
    fc.constant([base64url(Buffer.from('{"alg":"none","typ":"JWT"}')), payload, ''].join('.')),
    fc.constant([base64url(Buffer.from('{"alg":"HS256","typ":"JWT"}')), payload, signature].join('.')),
    fc.constant([header, payload].join('.')),
    fc.constant([payload, header, signature].join('.')),
    fc.constant(`${token}.${signature}`),
    fc
      .record({ sub: fc.string({ maxLength: 40 }), roles: fc.constant(['admin']), exp: fc.nat() })
      .map((forged) =>
        [header, base64url(Buffer.from(JSON.stringify({ ...claims, ...forged }))), signature].join('.'),
      ),
  );
};

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,60}\.[A-Za-z0-9_-]{1,200}\.[A-Za-z0-9_-]{0,90}$/),
  fc.stringMatching(/^gh_[a-z]+_[A-Za-z0-9]{0,60}$/),
);

describe('random, mutated and forged credentials are only ever UNAUTHENTICATED', () => {
  let auth: StartedAuth;
  let token: string;
  const seen = new Map<string, number>();

  beforeAll(async () => {
    auth = await startAuth({ backend: 'real' });
    const email = 'fuzz@example.com';
    await auth.call(
      'register',
      authV1.RegisterRequest.fromPartial({ email, password: goodPassword, displayName: 'F' }),
    );
    const pair = await auth.call<authV1.LoginRequest, authV1.TokenPair>(
      'login',
      authV1.LoginRequest.fromPartial({ email, password: goodPassword }),
    );
    token = pair.accessToken;
  }, 60_000);
  afterAll(async () => {
    await auth?.stop();
    console.log(`credential fuzz outcomes: ${JSON.stringify(Object.fromEntries(seen))}`);
  });

  const refused = async (credential: authV1.AuthenticateRequest, metadata?: CallerCredential) => {
    const viaRpc = await callError(auth.call('authenticate', credential));
    const viaMetadata = await callError(auth.call('whoAmI', authV1.WhoAmIRequest.fromPartial({}), metadata));
    for (const error of [viaRpc, viaMetadata]) {
      const name = status[error.code] ?? String(error.code);
      seen.set(name, (seen.get(name) ?? 0) + 1);
      expect(name).toBe('UNAUTHENTICATED');
    }
  };

  it('the genuine token is accepted (so a refusal below is the credential, not the setup)', async () => {
    const response = await auth.call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>(
      'authenticate',
      authV1.AuthenticateRequest.fromPartial({ bearerToken: token }),
    );
    expect(response.principal?.email).toBe('fuzz@example.com');
  });

  it('bit-flipped tokens', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedToken(token), async (mutated) => {
        fc.pre(mutated !== token);
        await refused(authV1.AuthenticateRequest.fromPartial({ bearerToken: mutated }), { bearer: mutated });
      }),
      { numRuns: 60, seed: 3 },
    );
  });

  it('forged tokens (alg none, other algorithm, re-signed claims, swapped segments)', async () => {
    await fc.assert(
      fc.asyncProperty(forgedToken(token), async (forged) => {
        await refused(authV1.AuthenticateRequest.fromPartial({ bearerToken: forged }), { bearer: forged });
      }),
      { numRuns: 30, seed: 4 },
    );
  });

  it('random bearer tokens and API keys', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, fc.boolean(), async (text, asKey) => {
        // Metadata values must be printable ASCII; other bytes go through the RPC field only.
        const printable = text.replace(/[^\x20-\x7e]/g, '') || 'x';
        const request = authV1.AuthenticateRequest.fromPartial(
          asKey ? { apiKey: text } : { bearerToken: text },
        );
        await refused(request, asKey ? { apiKey: printable } : { bearer: printable });
      }),
      { numRuns: 80, seed: 5 },
    );
  });
});
