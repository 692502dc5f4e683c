import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatehouseError, type Logger, type OpsRoute } from '@gatehouse/runtime';
import type { AuthDomain } from '../rpc/auth-domain';
import { sendCallbackOutcome } from './callback-page';
import type { FederatedLogin } from './federated-login';
import { federatedSignIn } from './federated-sign-in';

/** Where a browser flow's redirect URI points on the ops port: https://<ops host>/federated/callback. */
export const callbackPath = '/federated/callback';

export interface CallbackRouteOptions {
  domain: AuthDomain;
  federation: FederatedLogin;
  logger: Logger;
}

const httpStatusOf: Partial<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  ABORTED: 409,
  UNAVAILABLE: 503,
};

/**
 * The ops port's redirect target for browser flows: completes the login with the redirect's
 * `code`, `state`, `iss` and `error` (as CompleteFederatedLogin does) and shows the token pair in
 * the page body, or as JSON when asked with `accept: application/json`. Only GET completes: a HEAD
 * or a link preview must not spend the single-use state.
 */
export function federationCallbackRoute(options: CallbackRouteOptions): OpsRoute {
  return {
    path: callbackPath,
    handle: async (request: IncomingMessage, response: ServerResponse) => {
      const json = (request.headers.accept ?? '').includes('application/json');
      if (request.method !== 'GET') {
        response.writeHead(405, { allow: 'GET', 'content-type': 'text/plain', 'cache-control': 'no-store' });
        response.end('use GET\n');
        return;
      }
      const query = new URL(request.url ?? '/', 'http://ops').searchParams;
      const param = (name: string) => query.get(name) ?? '';
      try {
        const signedIn = await federatedSignIn(
          options.domain,
          options.federation,
          { state: param('state'), code: param('code'), iss: param('iss'), error: param('error') },
          { peer: `${request.socket.remoteAddress ?? ''}:${request.socket.remotePort ?? ''}` },
        );
        const { pair, user, provider } = signedIn;
        sendCallbackOutcome(response, { kind: 'signed-in', pair, email: user.email, provider }, json);
      } catch (error) {
        const failure = GatehouseError.from(error);
        if (failure.code === 'INTERNAL') options.logger.error({ err: error }, 'federated callback failed');
        const outcome = {
          kind: 'failed' as const,
          httpStatus: httpStatusOf[failure.code] ?? 500,
          code: failure.code,
          reason: failure.reason ?? '',
          message: failure.code === 'INTERNAL' ? 'internal error' : failure.message,
        };
        sendCallbackOutcome(response, outcome, json);
      }
    },
  };
}
