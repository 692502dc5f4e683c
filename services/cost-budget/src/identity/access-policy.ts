import type { Metadata } from '@grpc/grpc-js';
import { authV1, budgetV1 } from '@gatehouse/contracts';
import { GatehouseError } from '@gatehouse/runtime';
import { scopeLabel, type ScopeRef } from '../domain/scope';
import { requireRole, type Caller, type CallerIdentity } from '@gatehouse/interceptors';

/** Who may do what: admins manage budgets; callers read their own scopes. */
export interface AccessPolicy {
  /** Resolves the caller when it has the admin role; PERMISSION_DENIED otherwise. */
  requireAdmin(metadata: Metadata, action: string): Promise<Caller>;
  /** Resolves the caller when it may read `scope`; PERMISSION_DENIED otherwise. */
  requireReader(metadata: Metadata, scope: ScopeRef): Promise<Caller>;
  /** True when the caller may read every scope (admins and service principals). */
  readsEverything(caller: Caller): boolean;
}

export function createAccessPolicy(options: { identity: CallerIdentity; adminRole: string }): AccessPolicy {
  const { identity, adminRole } = options;
  const isAdmin = (caller: Caller) => caller.roles.includes(adminRole);
  const readsEverything = (caller: Caller) =>
    isAdmin(caller) || caller.kind === authV1.PrincipalKind.PRINCIPAL_KIND_SERVICE;
  const owns = (caller: Caller, scope: ScopeRef) =>
    (scope.kind === budgetV1.ScopeKind.SCOPE_KIND_USER && scope.id === caller.subject) ||
    (scope.kind === budgetV1.ScopeKind.SCOPE_KIND_API_KEY && scope.id !== '' && scope.id === caller.apiKeyId);
  return {
    requireAdmin: (metadata, action) => requireRole(identity, metadata, adminRole, action),
    async requireReader(metadata, scope) {
      const caller = await identity.identify(metadata);
      if (!readsEverything(caller) && !owns(caller, scope)) {
        throw new GatehouseError(
          'PERMISSION_DENIED',
          `${caller.subject} may not read the budget of ${scopeLabel(scope)}`,
          {
            reason: 'SCOPE_NOT_READABLE',
            metadata: { scope: scopeLabel(scope) },
          },
        );
      }
      return caller;
    },
    readsEverything,
  };
}
