import type { authV1 } from '@gatehouse/contracts';
import { GatehouseError, type CallContext } from '@gatehouse/runtime';
import { roles, tiers, type UserRecord } from '../users/user-store';
import type { AuthDomain } from './auth-domain';
import { adminOf, originOf } from './caller';
import { decodePageToken, encodePageToken, pageSizeOf } from './paging';

/**
 * A caller's value for an error message, cut to 64 characters: echoing an unbounded value would put
 * it in the status trailer, and a trailer past the HTTP/2 header limit drops the whole connection.
 */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/** The admin RPCs; each requires role admin, else PERMISSION_DENIED. */
export function adminHandlers(domain: AuthDomain) {
  const changeUser = async (
    context: CallContext,
    userId: string,
    change: { roles?: string[]; tier?: string; disabled?: boolean },
    type: string,
    detail: Record<string, string>,
  ): Promise<authV1.User> => {
    const admin = await adminOf(context, domain.authenticator);
    if (userId === '') throw GatehouseError.invalidArgument('user_id', 'is required');
    const user = await domain.users.update(userId, change);
    if (user === undefined) {
      throw new GatehouseError('NOT_FOUND', 'user_id: no such user', {
        field: 'user_id',
        reason: 'USER_NOT_FOUND',
      });
    }
    await domain.invalidate({ kind: 'user', id: userId });
    await domain.audit.record({ ...originOf(context), type, actor: admin.subject, subject: userId, detail });
    return toUser(user);
  };

  return {
    listUsers: async (
      request: authV1.ListUsersRequest,
      context: CallContext,
    ): Promise<authV1.ListUsersResponse> => {
      await adminOf(context, domain.authenticator);
      const limit = pageSizeOf(request.pageSize);
      const after = decodePageToken(request.pageToken);
      const users = await domain.users.list({
        limit: limit + 1,
        after: after === undefined ? undefined : Buffer.from(after, 'base64url').toString('utf8'),
        emailPrefix: request.emailPrefix.trim().toLowerCase(),
      });
      const page = users.slice(0, limit);
      const last = page.at(-1);
      return {
        users: page.map(toUser),
        nextPageToken:
          users.length > limit && last ? encodePageToken(Buffer.from(last.email).toString('base64url')) : '',
      };
    },

    setUserRoles: async (request: authV1.SetUserRolesRequest, context: CallContext) => {
      await adminOf(context, domain.authenticator);
      request.roles.forEach((role, index) => {
        if (!(roles as readonly string[]).includes(role)) {
          throw GatehouseError.invalidArgument(
            `roles[${index}]`,
            `must be one of ${roles.join(', ')}, got ${quoted(role)}`,
          );
        }
      });
      const unique = [...new Set(request.roles)];
      const user = await changeUser(context, request.userId, { roles: unique }, 'user.roles_changed', {
        roles: unique.join(','),
      });
      return { user };
    },

    setUserTier: async (request: authV1.SetUserTierRequest, context: CallContext) => {
      await adminOf(context, domain.authenticator);
      if (!(tiers as readonly string[]).includes(request.tier)) {
        throw GatehouseError.invalidArgument(
          'tier',
          `must be one of ${tiers.join(', ')}, got ${quoted(request.tier)}`,
        );
      }
      const user = await changeUser(context, request.userId, { tier: request.tier }, 'user.tier_changed', {
        tier: request.tier,
      });
      return { user };
    },

    setUserDisabled: async (request: authV1.SetUserDisabledRequest, context: CallContext) => {
      const type = request.disabled ? 'user.disabled' : 'user.enabled';
      const user = await changeUser(context, request.userId, { disabled: request.disabled }, type, {});
      return { user };
    },

    rotateSigningKey: async (
      _request: authV1.RotateSigningKeyRequest,
      context: CallContext,
    ): Promise<authV1.RotateSigningKeyResponse> => {
      const admin = await adminOf(context, domain.authenticator);
      const key = await domain.keyRing.rotate();
      await domain.audit.record({
        ...originOf(context),
        type: 'signing_key.rotated',
        actor: admin.subject,
        detail: { kid: key.kid },
      });
      return { kid: key.kid, signsFrom: new Date(key.signsFrom) };
    },

    listAuditEvents: async (
      request: authV1.ListAuditEventsRequest,
      context: CallContext,
    ): Promise<authV1.ListAuditEventsResponse> => {
      await adminOf(context, domain.authenticator);
      const limit = pageSizeOf(request.pageSize);
      const token = decodePageToken(request.pageToken);
      if (token !== undefined && !/^\d{1,15}$/.test(token)) {
        throw GatehouseError.invalidArgument('page_token', 'is not a page token returned by this service');
      }
      const rows = await domain.audit.list({
        limit: limit + 1,
        before: token === undefined ? undefined : Number(token),
        subject: request.subject,
        type: request.type,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        events: page.map((row) => row.event),
        nextPageToken: rows.length > limit && last ? encodePageToken(String(last.seq)) : '',
      };
    },
  };
}

export function toUser(user: UserRecord): authV1.User {
  return {
    userId: user.userId,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    tier: user.tier,
    disabled: user.disabled,
    createdAt: user.createdAt,
    lastLoginAt: user.lastLoginAt,
  };
}
