import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/** An account of the test provider: log in with its id (any password). */
export interface TestAccount {
  email?: string;
  emailVerified?: boolean;
  name?: string;
}

export interface TestOpenIdProvider {
  /** http://127.0.0.1:<port>, the issuer identifier. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** Lifetime of the authorization codes it issues from now on, in seconds (default 60). */
  codeTtlSeconds: number;
  stop(): Promise<void>;
}

export interface TestOpenIdProviderOptions {
  /**
   * Registered redirect URIs. The test client is a native one, so (like a Google desktop client)
   * a loopback URI matches on any port (RFC 8252 §7.3).
   */
  redirectUris: string[];
  /** false: e-mail claims in the ID token itself (as Google does); default true: only in userinfo. */
  conformIdTokenClaims?: boolean;
}

/**
 * panva's oidc-provider (a certified OpenID Provider) on 127.0.0.1:0 in this process, with one
 * confidential client, PKCE required, its own RS256 key and development interactions (a login
 * form taking any account id, then consent), driven by `signInAtProvider`.
 */
export async function startTestOpenIdProvider(
  options: TestOpenIdProviderOptions,
): Promise<TestOpenIdProvider> {
  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => {
    response.writeHead(503).end();
  };
  const server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const accounts = new Map<string, TestAccount>();
  const state: TestOpenIdProvider = {
    issuer,
    clientId: 'gatehouse-test',
    clientSecret: 'test-client-secret-0123456789abcdef',
    accounts,
    codeTtlSeconds: 60,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  const configuration: Configuration = {
    clients: [
      {
        client_id: state.clientId,
        client_secret: state.clientSecret,
        application_type: 'native',
        redirect_uris: options.redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-key' }] },
    cookies: { keys: ['test-provider-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: options.conformIdTokenClaims ?? true,
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: () => state.codeTtlSeconds,
      AccessToken: 300,
      IdToken: 300,
      Interaction: 300,
      Session: 600,
      Grant: 600,
    },
    features: { devInteractions: { enabled: true } },
    findAccount: async (_context, id) => {
      const account = accounts.get(id);
      if (account === undefined) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          ...(account.email === undefined ? {} : { email: account.email }),
          ...(account.emailVerified === undefined ? {} : { email_verified: account.emailVerified }),
          ...(account.name === undefined ? {} : { name: account.name }),
        }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  handler = provider.callback();
  return state;
}

/**
 * Does what a browser and a user would at the provider: follows its redirects with its cookies,
 * submits the login form as `account` and the consent form, until the provider redirects to a URL
 * starting with `redirectPrefix`; resolves that URL (not fetched) with its code, state and iss.
 */
export async function signInAtProvider(
  authorizationUrl: string,
  account: string,
  redirectPrefix: string,
): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = authorizationUrl;
  let form: string | undefined;
  for (let hop = 0; hop < 20; hop += 1) {
    const response = await fetch(url, {
      method: form === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      body: form,
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(header)) cookies.delete(name);
      else cookies.set(name, value);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      const next = new URL(location, url);
      if (next.href.startsWith(redirectPrefix)) return next;
      url = next.href;
      form = undefined;
      continue;
    }
    const page = await response.text();
    const action = /action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    if (response.status !== 200 || action === undefined || prompt === undefined) {
      throw new Error(`the provider answered ${response.status} at ${url}: ${page.slice(0, 500)}`);
    }
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    form =
      prompt === 'login'
        ? new URLSearchParams({ prompt, login: account, password: 'any' }).toString()
        : new URLSearchParams({ prompt }).toString();
  }
  throw new Error(`no redirect to ${redirectPrefix} after 20 steps`);
}
