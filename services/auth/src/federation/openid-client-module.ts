import type * as openIdClient from 'openid-client' with { 'resolution-mode': 'import' };

/** The openid-client module (panva's relying-party library). */
export type OpenIdClient = typeof openIdClient;

/**
 * Loads openid-client, which is ESM-only, from this CommonJS service. With `module: node16` the
 * TypeScript compiler keeps `import()` as a real dynamic import in the emitted CommonJS (it does
 * not turn it into `require`), and Node has loaded ES modules that way since 12, so this works on
 * every Node the project supports (>= 20.6), in `dist` as under vitest. Called once, by app.ts.
 */
export function loadOpenIdClient(): Promise<OpenIdClient> {
  return import('openid-client');
}
