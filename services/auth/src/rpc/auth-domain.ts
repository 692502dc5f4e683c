import type { Clock } from '@gatehouse/runtime';
import type { ApiKeyStore } from '../api-keys/api-key-store';
import type { AuditLog } from '../audit/audit-log';
import type { AuthMetrics } from '../auth-metrics';
import type { Authenticator } from '../authenticate/authenticator';
import type { Invalidation } from '../authenticate/credential-cache';
import type { AuthSettings } from '../config';
import type { PasswordHasher } from '../passwords/password-hasher';
import type { LoginLockout } from '../sessions/login-lockout';
import type { RefreshFamilies } from '../sessions/refresh-families';
import type { Revocations } from '../sessions/revocations';
import type { KeyRing } from '../tokens/key-ring';
import type { TokenIssuer } from '../tokens/token-issuer';
import type { UserStore } from '../users/user-store';

/** Everything the RPC handlers use, wired once in app.ts. */
export interface AuthDomain {
  settings: AuthSettings;
  clock: Clock;
  users: UserStore;
  hasher: PasswordHasher;
  lockout: LoginLockout;
  families: RefreshFamilies;
  revocations: Revocations;
  tokens: TokenIssuer;
  keyRing: KeyRing;
  apiKeys: ApiKeyStore;
  authenticator: Authenticator;
  audit: AuditLog;
  metrics?: AuthMetrics;
  /** Drops cached verifications here and on every other replica. */
  invalidate(what: Invalidation): Promise<void>;
}
