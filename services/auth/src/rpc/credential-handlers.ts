import { authV1 } from '@gatehouse/contracts';
import { holdsScope } from '@gatehouse/credentials';
import { annotateCall, GatehouseError, setSpanAttributes, type CallContext } from '@gatehouse/runtime';
import { generateApiKey } from '../api-keys/api-key-format';
import { toApiKeyInfo } from '../api-keys/api-key-store';
import { authenticateResponseOf } from '../authenticate/authenticate-response';
import { permissionDenied } from '../support/auth-errors';
import { newId } from '../support/ids';
import type { AuthDomain } from './auth-domain';
import { callerOf, isAdmin, originOf } from './caller';
import { decodePageToken, encodePageToken, pageSizeOf } from './paging';

const scopePattern = /^[A-Za-z0-9_.:*-]{1,100}$/;
const maxKeyTtlSeconds = 10 * 365 * 86_400;

/** Authenticate, WhoAmI, GetJwks and the API-key RPCs. */
export function credentialHandlers(domain: AuthDomain) {
  return {
    authenticate: async (
      request: authV1.AuthenticateRequest,
      context: CallContext,
    ): Promise<authV1.AuthenticateResponse> => {
      const credential =
        request.bearerToken !== undefined
          ? { bearerToken: request.bearerToken }
          : request.apiKey !== undefined
            ? { apiKey: request.apiKey }
            : undefined;
      if (credential === undefined) {
        throw GatehouseError.invalidArgument('credential', 'set exactly one of bearer_token or api_key');
      }
      const principal = await domain.authenticator.authenticate(
        credential,
        request.requiredScopes,
        request.requiredRoles,
      );
      annotateCall(context.metadata, { principal_subject: principal.subject });
      setSpanAttributes({
        'gatehouse.auth.subject': principal.subject,
        'gatehouse.auth.principal_kind': authV1.principalKindToJSON(principal.kind),
      });
      return authenticateResponseOf(principal);
    },

    whoAmI: async (_request: authV1.WhoAmIRequest, context: CallContext): Promise<authV1.WhoAmIResponse> => ({
      principal: await callerOf(context, domain.authenticator),
    }),

    getJwks: async (): Promise<authV1.GetJwksResponse> => ({ keys: jwksOf(domain) }),

    createApiKey: async (
      request: authV1.CreateApiKeyRequest,
      context: CallContext,
    ): Promise<authV1.CreateApiKeyResponse> => {
      const caller = await callerOf(context, domain.authenticator);
      const name = request.name.trim();
      if ([...name].length < 1 || [...name].length > 100) {
        throw GatehouseError.invalidArgument('name', 'must be 1-100 characters');
      }
      request.scopes.forEach((scope, index) => {
        if (!scopePattern.test(scope)) {
          throw GatehouseError.invalidArgument(`scopes[${index}]`, 'must be 1-100 of A-Z a-z 0-9 _ . : * -');
        }
      });
      const ttl = Number(request.ttlSeconds);
      if (ttl < 0 || ttl > maxKeyTtlSeconds) {
        throw GatehouseError.invalidArgument(
          'ttl_seconds',
          `must be from 0 (no expiry) to ${maxKeyTtlSeconds}`,
        );
      }
      const userId = request.userId === '' ? caller.subject : request.userId;
      if (userId !== caller.subject && !isAdmin(caller))
        throw permissionDenied('only admins create keys for other users');
      if (!isAdmin(caller)) {
        const missing = request.scopes.filter((scope) => !holdsScope(caller, scope));
        if (missing.length > 0)
          throw permissionDenied(`cannot grant scope(s) you do not hold: ${missing.join(', ')}`);
      }
      if ((await domain.users.byId(userId)) === undefined) {
        throw new GatehouseError('NOT_FOUND', 'user_id: no such user', {
          field: 'user_id',
          reason: 'USER_NOT_FOUND',
        });
      }
      const now = domain.clock.now();
      const key = generateApiKey(domain.settings.apiKeyPrefix);
      const keyId = newId('key');
      const expiresAt = ttl === 0 ? undefined : new Date(now + ttl * 1000);
      await domain.apiKeys.insert(
        {
          keyId,
          userId,
          name,
          prefix: key.displayPrefix,
          scopes: [...request.scopes],
          createdAt: new Date(now),
          expiresAt,
        },
        key.hash,
      );
      await domain.audit.record({
        ...originOf(context),
        type: 'api_key.created',
        actor: caller.subject,
        subject: userId,
        detail: { key_id: keyId, prefix: key.displayPrefix },
      });
      return { keyId, apiKey: key.plaintext, prefix: key.displayPrefix, expiresAt };
    },

    listApiKeys: async (
      request: authV1.ListApiKeysRequest,
      context: CallContext,
    ): Promise<authV1.ListApiKeysResponse> => {
      const caller = await callerOf(context, domain.authenticator);
      const limit = pageSizeOf(request.pageSize);
      const after = decodePageToken(request.pageToken);
      const userId = request.userId === '' ? caller.subject : request.userId;
      if (userId !== caller.subject && !isAdmin(caller))
        throw permissionDenied("only admins list other users' keys");
      const records = await domain.apiKeys.listForUser(userId, limit + 1, after);
      const page = records.slice(0, limit);
      const last = page.at(-1);
      return {
        apiKeys: page.map(toApiKeyInfo),
        nextPageToken: records.length > limit && last ? encodePageToken(last.keyId) : '',
      };
    },

    revokeApiKey: async (
      request: authV1.RevokeApiKeyRequest,
      context: CallContext,
    ): Promise<authV1.RevokeApiKeyResponse> => {
      const caller = await callerOf(context, domain.authenticator);
      if (request.keyId === '') throw GatehouseError.invalidArgument('key_id', 'is required');
      const record = await domain.apiKeys.byId(request.keyId);
      // Someone else's key reads as absent to a non-admin: key ids are not confirmed to strangers.
      if (record === undefined || (record.userId !== caller.subject && !isAdmin(caller))) {
        throw new GatehouseError('NOT_FOUND', 'key_id: no such key', {
          field: 'key_id',
          reason: 'API_KEY_NOT_FOUND',
        });
      }
      if (await domain.apiKeys.revoke(record.keyId, new Date(domain.clock.now()))) {
        await domain.invalidate({ kind: 'key', id: record.keyId });
        await domain.audit.record({
          ...originOf(context),
          type: 'api_key.revoked',
          actor: caller.subject,
          subject: record.userId,
          detail: { key_id: record.keyId },
        });
      }
      return {};
    },
  };
}

/** The JWKS: every published key as a JWK. */
export function jwksOf(domain: Pick<AuthDomain, 'keyRing'>): authV1.Jwk[] {
  return domain.keyRing.published().map(({ jwk }) => ({
    kty: jwk.kty ?? '',
    kid: jwk.kid ?? '',
    use: jwk.use ?? 'sig',
    alg: jwk.alg ?? '',
    crv: jwk.crv ?? '',
    x: jwk.x ?? '',
    y: jwk.y ?? '',
    n: jwk.n ?? '',
    e: jwk.e ?? '',
  }));
}
