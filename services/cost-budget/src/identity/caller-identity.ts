import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { GatehouseError } from '@gatehouse/runtime';

/** Who is calling, as the auth service vouches for it. */
export type Caller = authV1.Principal;

/**
 * Identifies the caller of an RPC from its metadata (`authorization: Bearer …` or `x-api-key`).
 * Rejects UNAUTHENTICATED without a (valid) credential, UNAVAILABLE when identity cannot be checked.
 */
export interface CallerIdentity {
  identify(metadata: Metadata): Promise<Caller>;
  close(): void;
}

export interface AuthServiceIdentityOptions {
  /** host:port of gatehouse.auth.v1.AuthService. */
  address: string;
  /** Deadline of each Authenticate call. */
  timeoutMs: number;
}

/** The credential in call metadata, as AuthenticateRequest wants it; undefined when there is none. */
export function credentialOf(metadata: Metadata): authV1.AuthenticateRequest | undefined {
  const authorization = metadata.get('authorization')[0];
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return { bearerToken: match[1], requiredScopes: [], requiredRoles: [] };
  }
  const apiKey = metadata.get('x-api-key')[0];
  if (typeof apiKey === 'string' && apiKey.trim() !== '') {
    return { apiKey: apiKey.trim(), requiredScopes: [], requiredRoles: [] };
  }
  return undefined;
}

/** CallerIdentity through the auth service's Authenticate RPC (generated client; fails closed). */
export function createAuthServiceIdentity(options: AuthServiceIdentityOptions): CallerIdentity {
  const client = new authV1.AuthServiceClient(options.address, credentials.createInsecure());
  return {
    identify(metadata) {
      const request = credentialOf(metadata);
      if (request === undefined) {
        return Promise.reject(
          new GatehouseError(
            'UNAUTHENTICATED',
            'this RPC needs a credential: send metadata "authorization: Bearer <token>" or "x-api-key: <key>"',
            { reason: 'CREDENTIAL_MISSING' },
          ),
        );
      }
      return new Promise((resolve, reject) => {
        const deadline = new Date(Date.now() + options.timeoutMs);
        client.authenticate(request, new Metadata(), { deadline }, (error, response) => {
          if (error) reject(fromAuthError(error, options.address));
          else if (response.principal === undefined)
            reject(unavailable(options.address, 'no principal returned'));
          else resolve(response.principal);
        });
      });
    },
    close: () => client.close(),
  };
}

function fromAuthError(error: ServiceError, address: string): GatehouseError {
  if (error.code === status.UNAUTHENTICATED) {
    return new GatehouseError('UNAUTHENTICATED', error.details || 'invalid credential', {
      reason: 'CREDENTIAL_INVALID',
    });
  }
  if (error.code === status.PERMISSION_DENIED) {
    return new GatehouseError('PERMISSION_DENIED', error.details || 'permission denied');
  }
  return unavailable(address, `${status[error.code] ?? error.code}: ${error.details || error.message}`);
}

function unavailable(address: string, detail: string): GatehouseError {
  return new GatehouseError(
    'UNAVAILABLE',
    `cannot verify the caller: the auth service at ${address} (BUDGET_AUTH_ADDR) failed (${detail}); retry later`,
    { reason: 'AUTH_UNAVAILABLE', retryAfterMs: 1000, metadata: { auth_address: address } },
  );
}
