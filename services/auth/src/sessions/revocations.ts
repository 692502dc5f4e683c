import type { KeyValueStore } from '@gatehouse/runtime';

/**
 * Revoked access tokens (by jti) and sessions (by family id) in the key-value store, each kept
 * for as long as a token it concerns could still be presented, then forgotten by expiry.
 */
export class Revocations {
  constructor(private readonly kv: KeyValueStore) {}

  async revokeToken(jti: string, ttlMs: number): Promise<void> {
    if (ttlMs > 0) await this.kv.set(`deny:jti:${jti}`, '1', { ttlMs });
  }

  async revokeSession(familyId: string, ttlMs: number): Promise<void> {
    if (ttlMs > 0) await this.kv.set(`deny:sid:${familyId}`, '1', { ttlMs });
  }

  async isRevoked(jti: string, familyId: string): Promise<boolean> {
    const [token, session] = await Promise.all([
      this.kv.exists(`deny:jti:${jti}`),
      this.kv.exists(`deny:sid:${familyId}`),
    ]);
    return token || session;
  }
}
