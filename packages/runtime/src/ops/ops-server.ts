import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Readiness } from '../health/readiness';

/** An extra route on the ops port (e.g. /.well-known/jwks.json, a status page). */
export interface OpsRoute {
  path: string;
  handle: (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;
}

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  readiness: Readiness;
  /** False once shutdown starts: /livez keeps answering, /readyz says 503. */
  isAlive: () => boolean;
  routes?: readonly OpsRoute[];
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The HTTP ops port: /metrics (Prometheus text), /livez (the process answers), /readyz (its
 * dependencies answer, from cached checks), plus service-specific routes.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const routes = new Map<string, OpsRoute['handle']>();
  routes.set('/metrics', async (_request, response) => {
    const body = await options.registry.metrics();
    send(response, 200, options.registry.contentType, body);
  });
  routes.set('/livez', (_request, response) => {
    send(response, options.isAlive() ? 200 : 503, 'text/plain', options.isAlive() ? 'ok\n' : 'stopping\n');
  });
  routes.set('/readyz', (_request, response) => {
    const snapshot = options.readiness.current();
    const status = snapshot.ready ? (snapshot.degraded ? 'degraded' : 'ready') : 'not_ready';
    const body = JSON.stringify({ ready: snapshot.ready, status, checks: snapshot.checks });
    send(response, snapshot.ready ? 200 : 503, 'application/json', `${body}\n`);
  });
  for (const route of options.routes ?? []) routes.set(route.path, route.handle);

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://ops').pathname;
    const handle = routes.get(path);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain', 'method not allowed\n');
    } else if (handle === undefined) {
      send(response, 404, 'text/plain', `not found; try ${[...routes.keys()].join(', ')}\n`);
    } else {
      Promise.resolve(handle(request, response)).catch(() => send(response, 500, 'text/plain', 'error\n'));
    }
  });
  await listen(server, options.host, options.port);
  return {
    port: (server.address() as AddressInfo).port,
    close: () => closeServer(server),
  };
}

function send(response: ServerResponse, statusCode: number, contentType: string, body: string): void {
  if (response.headersSent) return;
  response.writeHead(statusCode, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
