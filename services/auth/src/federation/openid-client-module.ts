import type * as openIdClient from 'openid-client' with { 'resolution-mode': 'import' };

/** The openid-client module (panva's relying-party library). */
export type OpenIdClient = typeof openIdClient;

/**
 * Loads openid-client, which is ESM-only, from this CommonJS service. With `module: node16` the
 * TypeScript compiler keeps `import()` as a real dynamic import in the emitted CommonJS (it does
 * not turn it into `require`), and Node has loaded ES modules that way since 12, so this works on
 * every Node the project supports (>= 20.6), in `dist` as under vitest. Loaded once at start-up,
 * and only when a provider is configured.
 */
export function loadOpenIdClient(): Promise<OpenIdClient> {
  return import('openid-client');
}

/** Fresh state, PKCE verifier and S256 challenge (and a nonce), from the library's generators. */
export async function drawLoginSecrets(client: OpenIdClient, withNonce: boolean) {
  const codeVerifier = client.randomPKCECodeVerifier();
  return {
    state: client.randomState(),
    nonce: withNonce ? client.randomNonce() : undefined,
    codeVerifier,
    codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier),
  };
}
