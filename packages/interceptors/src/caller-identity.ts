import { credentials, Metadata, status } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import { GatehouseError } from '@gatehouse/runtime';
import { authServiceRefusal } from './auth-service-refusal';
import { credentialRefusal } from './credential-refusal';
import { authenticateRequestOf, credentialOfMetadata } from './metadata-credential';

/** Who is calling, as the auth service vouches for it. */
export type Caller = authV1.Principal;

/**
 * Identifies the caller of one RPC from its metadata (`authorization: Bearer …` or `x-api-key`), for
 * services that check a few methods themselves (admin RPCs) instead of installing `authenticate`.
 * Rejects UNAUTHENTICATED without a (valid) credential (the auth service's refusal and reason passed
 * on), UNAVAILABLE when identity cannot be checked.
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
      const credential = credentialOfMetadata(metadata);
      if (credential.kind === 'refused') return Promise.reject(credentialRefusal(credential.reason));
      return new Promise((resolve, reject) => {
        const deadline = new Date(Date.now() + options.timeoutMs);
        client.authenticate(
          authenticateRequestOf(credential),
          new Metadata(),
          { deadline },
          (error, response) => {
            if (error) {
              reject(
                authServiceRefusal(error, () =>
                  unavailable(`${status[error.code] ?? error.code}: ${error.details || error.message}`),
                ),
              );
            } else if (response.principal === undefined) reject(unavailable('no principal returned'));
            else resolve(response.principal);
          },
        );
      });
    },
    close: () => client.close(),
  };
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
