import type { ServerResponse } from 'node:http';
import { jwtAlgorithm } from '@gatehouse/credentials';
import type { OpsRoute } from '@gatehouse/runtime';
import type { KeyRing } from '../tokens/key-ring';

export interface WellKnownOptions {
  keyRing: KeyRing;
  issuer: string;
  /** Where the JWKS is served, as clients reach it; default relative to the request's Host. */
  publicBaseUrl?: string;
}

/** /.well-known/jwks.json and /.well-known/openid-configuration on the ops port. */
export function wellKnownRoutes(options: WellKnownOptions): OpsRoute[] {
  return [
    {
      path: '/.well-known/jwks.json',
      handle: (_request, response) => {
        const keys = options.keyRing.published().map((key) => key.jwk);
        sendJson(response, { keys }, 'public, max-age=60');
      },
    },
    {
      path: '/.well-known/openid-configuration',
      handle: (request, response) => {
        const base = options.publicBaseUrl ?? `http://${request.headers.host ?? 'localhost'}`;
        sendJson(
          response,
          {
            issuer: options.issuer,
            jwks_uri: `${base}/.well-known/jwks.json`,
            id_token_signing_alg_values_supported: [jwtAlgorithm],
            token_endpoint_auth_methods_supported: ['none'],
            response_types_supported: ['token'],
            subject_types_supported: ['public'],
            grant_types_supported: ['password', 'refresh_token'],
          },
          'public, max-age=300',
        );
      },
    },
  ];
}

function sendJson(response: ServerResponse, body: unknown, cacheControl: string): void {
  response.writeHead(200, { 'content-type': 'application/json', 'cache-control': cacheControl });
  response.end(`${JSON.stringify(body)}\n`);
}
