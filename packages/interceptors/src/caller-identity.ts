import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { GatehouseError } from '@gatehouse/runtime';

/** Who is calling, as the auth service vouches for it. */
export type Caller = authV1.Principal;

/**
 * Identifies the caller of one RPC from its metadata (`authorization: Bearer …` or `x-api-key`), for
 * services that check a few methods themselves (admin RPCs) instead of installing `authenticate`.
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
  /** The setting that named `address` (e.g. BUDGET_AUTH_ADDR), quoted when the auth service fails. */
  addressSetting: string;
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
  const unavailable = (detail: string) =>
    new GatehouseError(
      'UNAVAILABLE',
      `cannot verify the caller: the auth service at ${options.address} (${options.addressSetting}) failed (${detail}); retry later`,
      { reason: 'AUTH_UNAVAILABLE', retryAfterMs: 1000, metadata: { auth_address: options.address } },
    );
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
          if (error) reject(fromAuthError(error, unavailable));
          else if (response.principal === undefined) reject(unavailable('no principal returned'));
          else resolve(response.principal);
        });
      });
    },
    close: () => client.close(),
  };
}

function fromAuthError(error: ServiceError, unavailable: (detail: string) => GatehouseError): GatehouseError {
  if (error.code === status.UNAUTHENTICATED) {
    return new GatehouseError('UNAUTHENTICATED', error.details || 'invalid credential', {
      reason: 'CREDENTIAL_INVALID',
    });
  }
  if (error.code === status.PERMISSION_DENIED) {
    return new GatehouseError('PERMISSION_DENIED', error.details || 'permission denied');
  }
  return unavailable(`${status[error.code] ?? error.code}: ${error.details || error.message}`);
}

/**
 * Identifies the caller and resolves it when it has `role`; PERMISSION_DENIED naming the role otherwise
 * (UNAUTHENTICATED / UNAVAILABLE as `identify`). `action` names what was attempted, e.g. "ResetLimit".
 */
export async function requireRole(
  identity: CallerIdentity,
  metadata: Metadata,
  role: string,
  action: string,
): Promise<Caller> {
  const caller = await identity.identify(metadata);
  if (!caller.roles.includes(role)) {
    throw new GatehouseError(
      'PERMISSION_DENIED',
      `${action} needs the "${role}" role; ${caller.subject} lacks it`,
      {
        reason: 'ADMIN_REQUIRED',
        metadata: { required_role: role },
      },
    );
  }
  return caller;
}
