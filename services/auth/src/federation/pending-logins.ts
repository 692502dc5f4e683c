import { createHash } from 'node:crypto';
import type { Clock, KeyValueStore } from '@gatehouse/runtime';

/** What a begun login keeps until it is completed: secrets that never leave the service. */
export interface PendingLogin {
  provider: string;
  redirectUri: string;
  /** The PKCE verifier whose S256 challenge went to the provider. */
  codeVerifier: string;
  /** The nonce the ID token must carry (OpenID Connect providers only). */
  nonce?: string;
  /** Epoch milliseconds after which the login is refused. */
  expiresAt: number;
}

export type TakenLogin =
  | { kind: 'taken'; login: PendingLogin }
  /** Never begun, already completed (single use) or removed by the store's expiry. */
  | { kind: 'unknown' }
  | { kind: 'expired'; login: PendingLogin };

/** How long an expired login's record stays to say so. */
const expiredGraceMs = 60_000;

export interface PendingLoginsOptions {
  kv: KeyValueStore;
  clock: Clock;
  ttlMs: number;
}

/**
 * Begun logins in the key-value store, keyed by the SHA-256 of their state (Redis or memory: any
 * replica can complete a login another began). Taking one is single-use on every backend with
 * the store's own primitives: a get, then a delete that only one taker can win.
 */
export class PendingLogins {
  constructor(private readonly options: PendingLoginsOptions) {}

  async put(state: string, login: Omit<PendingLogin, 'expiresAt'>): Promise<PendingLogin> {
    const { kv, clock, ttlMs } = this.options;
    const pending: PendingLogin = { ...login, expiresAt: clock.now() + ttlMs };
    // Kept a little longer than it is valid, so a late completion hears "expired", not "unknown".
    const stored = await kv.set(this.key(state), JSON.stringify(pending), {
      ttlMs: ttlMs + expiredGraceMs,
      onlyIfAbsent: true,
    });
    if (!stored) throw new Error('a freshly drawn login state collided with a stored one');
    return pending;
  }

  async take(state: string): Promise<TakenLogin> {
    const { kv, clock } = this.options;
    const key = this.key(state);
    const value = await kv.get(key);
    // Of two takers that both read the value, only the one whose delete removed it goes on.
    if (value === null || !(await kv.delete(key))) return { kind: 'unknown' };
    const login = JSON.parse(value) as PendingLogin;
    // The injected clock decides expiry (the store's TTL only cleans up), so tests are exact.
    return login.expiresAt <= clock.now() ? { kind: 'expired', login } : { kind: 'taken', login };
  }

  private key(state: string): string {
    return `federation:state:{${createHash('sha256').update(state).digest('base64url')}}`;
  }
}
