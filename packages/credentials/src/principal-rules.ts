/** What a credential carries that requirements are checked against. */
export interface Entitlements {
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
}

/** What a method demands of the caller's credential, on top of being valid. */
export interface MethodRequirements {
  /** Scopes the credential must all carry ("*" on the credential matches any). */
  readonly scopes?: readonly string[];
  /** Roles the subject must all have. */
  readonly roles?: readonly string[];
}

/** A requirement the credential does not meet: PERMISSION_DENIED with this reason and message. */
export interface UnmetRequirement {
  readonly reason: 'MISSING_SCOPE' | 'MISSING_ROLE';
  readonly message: string;
}

/** Whether the credential carries `scope`: itself, or "*", which stands for every scope. */
export function holdsScope(held: Pick<Entitlements, 'scopes'>, scope: string): boolean {
  return held.scopes.includes(scope) || held.scopes.includes('*');
}

/** The first unmet requirement (scopes before roles), naming everything missing of it. */
export function unmetRequirement(
  held: Entitlements,
  demands: MethodRequirements,
): UnmetRequirement | undefined {
  const scopes = (demands.scopes ?? []).filter((scope) => !holdsScope(held, scope));
  if (scopes.length > 0) {
    return { reason: 'MISSING_SCOPE', message: `the credential lacks scope(s) ${scopes.join(', ')}` };
  }
  const roles = (demands.roles ?? []).filter((role) => !held.roles.includes(role));
  if (roles.length > 0) {
    return { reason: 'MISSING_ROLE', message: `the subject lacks role(s) ${roles.join(', ')}` };
  }
  return undefined;
}

/** A service account: role `service`, and neither `user` nor `admin`. */
export function isServiceAccount(roles: readonly string[]): boolean {
  return roles.includes('service') && !roles.includes('user') && !roles.includes('admin');
}
