import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliFailure } from '../shared/cli-failure';

/** What the provider's redirect brought to the loopback listener. */
export interface LoopbackCallback {
  code: string;
  iss: string;
  error: string;
  /** Answers the browser's request with a small page, then the listener stops taking requests. */
  respond(title: string, message: string): void;
}

export interface LoopbackReceiver {
  /** http://127.0.0.1:<port>/callback: the redirect URI to begin the login with. */
  redirectUri: string;
  /** The first redirect carrying `state`; other requests get 400 and are ignored. */
  callback(state: string, waitMs: number): Promise<LoopbackCallback>;
  close(): Promise<void>;
}

const path = '/callback';

/**
 * A one-shot HTTP listener on 127.0.0.1 (RFC 8252 §7.3: a native app's loopback redirect) that
 * waits for the provider to send the browser back. It listens on the loopback address only, and
 * takes only the redirect whose state is the one this login began with.
 */
export async function startLoopbackReceiver(port: number): Promise<LoopbackReceiver> {
  let expected: string | undefined;
  let deliver: ((callback: LoopbackCallback) => void) | undefined;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const state = url.searchParams.get('state') ?? '';
    if (request.method !== 'GET' || url.pathname !== path) {
      page(response, 404, 'Not found', 'This address only receives a Gatehouse sign-in.');
    } else if (expected === undefined || deliver === undefined || state !== expected) {
      page(
        response,
        400,
        'Unexpected sign-in',
        'This redirect does not belong to the login gatehouse is waiting for.',
      );
    } else {
      const take = deliver;
      deliver = undefined;
      const param = (name: string) => url.searchParams.get(name) ?? '';
      take({
        code: param('code'),
        iss: param('iss'),
        error: param('error'),
        respond: (title, message) => page(response, 200, title, message),
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new CliFailure(
          `cannot listen on 127.0.0.1:${port} for the redirect (${error.code ?? error.message})`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const boundPort = (server.address() as AddressInfo).port;
  return {
    redirectUri: `http://127.0.0.1:${boundPort}${path}`,
    callback: (state, waitMs) =>
      new Promise<LoopbackCallback>((resolve, reject) => {
        expected = state;
        const timer = setTimeout(() => {
          deliver = undefined;
          reject(
            new CliFailure(
              `no sign-in came back within ${Math.round(waitMs / 1000)} s; run the command again`,
            ),
          );
        }, waitMs);
        deliver = (callback) => {
          clearTimeout(timer);
          resolve(callback);
        };
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function page(response: ServerResponse, status: number, title: string, message: string): void {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  response.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gatehouse: ${escape(title)}</title></head>` +
      `<body style="font:16px system-ui,sans-serif;margin:3rem"><h1>${escape(title)}</h1><p>${escape(message)}</p></body></html>\n`,
  );
}
