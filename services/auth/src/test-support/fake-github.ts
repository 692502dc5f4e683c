import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A GitHub user as the fake's API describes it. */
export interface FakeGitHubUser {
  id: number;
  login: string;
  name?: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface FakeGitHub {
  /** http://127.0.0.1:<port>; the API is under /api. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Who "approves" the next authorization request. */
  user: FakeGitHubUser;
  /** Set to make the API answer this HTTP status (e.g. 502). */
  apiStatus?: number;
  stop(): Promise<void>;
}

/**
 * A small local stand-in for GitHub's OAuth endpoints and REST API, with GitHub's behaviour where
 * it matters: the authorize step redirects at once with a code; the token endpoint checks client,
 * code (single use), redirect_uri and the PKCE verifier, and answers a refused code with HTTP 200
 * and `{"error": "bad_verification_code"}`; /user and /user/emails need the bearer token.
 */
export async function startFakeGitHub(initial: FakeGitHubUser): Promise<FakeGitHub> {
  const codes = new Map<string, { challenge: string; redirectUri: string; user: FakeGitHubUser }>();
  const tokens = new Map<string, FakeGitHubUser>();
  const server = createServer((request, response) => {
    void route(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeGitHub = {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId: 'Iv1.fakeclient',
    clientSecret: 'fake-github-secret',
    user: initial,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', fake.baseUrl);
    if (url.pathname === '/login/oauth/authorize') {
      const query = url.searchParams;
      if (query.get('client_id') !== fake.clientId || query.get('code_challenge_method') !== 'S256') {
        return json(response, 400, { error: 'bad request' });
      }
      const code = randomBytes(10).toString('hex');
      codes.set(code, {
        challenge: query.get('code_challenge') ?? '',
        redirectUri: query.get('redirect_uri') ?? '',
        user: fake.user,
      });
      const back = new URL(query.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', query.get('state') ?? '');
      response.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/login/oauth/access_token' && request.method === 'POST') {
      const form = new URLSearchParams(await bodyOf(request));
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (form.get('client_id') !== fake.clientId || form.get('client_secret') !== fake.clientSecret) {
        return json(response, 200, { error: 'incorrect_client_credentials' });
      }
      if (
        grant === undefined ||
        grant.redirectUri !== form.get('redirect_uri') ||
        grant.challenge !== challenge
      ) {
        return json(response, 200, {
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
        });
      }
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.set(token, grant.user);
      return json(response, 200, {
        access_token: token,
        token_type: 'bearer',
        scope: 'read:user,user:email',
      });
    }
    if (url.pathname === '/api/user' || url.pathname === '/api/user/emails') {
      if (fake.apiStatus !== undefined) return json(response, fake.apiStatus, { message: 'Server Error' });
      const user = tokens.get((request.headers.authorization ?? '').replace(/^Bearer /i, ''));
      if (user === undefined) return json(response, 401, { message: 'Bad credentials' });
      if (url.pathname === '/api/user/emails') {
        return json(
          response,
          200,
          user.emails.map((email) => ({ ...email, visibility: 'private' })),
        );
      }
      return json(response, 200, { id: user.id, login: user.login, name: user.name ?? null, email: null });
    }
    json(response, 404, { message: 'Not Found' });
  }
  return fake;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
