import { createHash } from 'node:crypto';
import type { KeyValueStore } from '@gatehouse/runtime';

export interface LoginLockoutOptions {
  kv: KeyValueStore;
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/**
 * Failed logins counted per account (normalized email, hashed), never per peer: attempts spread
 * over many addresses still lock the account. Keys of one account share a Redis hash tag.
 */
export class LoginLockout {
  constructor(private readonly options: LoginLockoutOptions) {}

  async isLocked(email: string): Promise<boolean> {
    return this.options.kv.exists(`${this.tag(email)}:locked`);
  }

  /** Counts a failure; resolves true when this failure locked the account. */
  async recordFailure(email: string): Promise<boolean> {
    const { kv, maxFailures, windowMs, lockMs } = this.options;
    const failures = await kv.incrementBy(`${this.tag(email)}:failures`, 1, { ttlMs: windowMs });
    if (failures < maxFailures) return false;
    const locked = await kv.set(`${this.tag(email)}:locked`, '1', { ttlMs: lockMs, onlyIfAbsent: true });
    await kv.delete(`${this.tag(email)}:failures`);
    return locked;
  }

  async reset(email: string): Promise<void> {
    await this.options.kv.delete(`${this.tag(email)}:failures`);
  }

  private tag(email: string): string {
    return `login:{${createHash('sha256').update(email).digest('base64url').slice(0, 22)}}`;
  }
}
