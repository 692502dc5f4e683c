import bcrypt from 'bcrypt';
import { Semaphore } from '../support/semaphore';

/** bcrypt reads at most 72 bytes; longer passwords are refused, never silently truncated. */
export const bcryptMaxBytes = 72;

export interface PasswordHasherOptions {
  /** bcrypt cost (log2 rounds). */
  cost: number;
  /** bcrypt operations running at once (each occupies one libuv thread). */
  concurrency: number;
  /** Operations allowed to wait for a slot before RESOURCE_EXHAUSTED. */
  queueMax: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a password over 72 bytes (which bcrypt would truncate) without trusting bcrypt. */
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the same time as a real verify, for unknown users, so timing does not tell them apart. */
  dummyVerify(password: string): Promise<void>;
  /** True when the hash was made with another cost and should be replaced at the next login. */
  needsRehash(hash: string): boolean;
  readonly cost: number;
}

export function exceedsBcryptLimit(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > bcryptMaxBytes;
}

/**
 * bcrypt behind a semaphore: a login storm queues here instead of filling libuv's thread pool, so
 * everything else the service does (DNS, fs, other crypto) keeps its threads. Token verification
 * runs synchronously on the main thread and never waits for this pool.
 */
export function createPasswordHasher(options: PasswordHasherOptions): PasswordHasher {
  const gate = new Semaphore(options.concurrency, options.queueMax);
  let dummyHash: Promise<string> | undefined;
  const dummy = () => (dummyHash ??= gate.run(() => bcrypt.hash('dummy-password-for-timing', options.cost)));
  return {
    cost: options.cost,
    hash: (password) => gate.run(() => bcrypt.hash(password, options.cost)),
    verify: async (password, hash) => {
      const tooLong = exceedsBcryptLimit(password);
      // Compare anyway (against the prefix) so a too-long password costs the same time.
      const matches = await gate.run(() => bcrypt.compare(password, hash));
      return matches && !tooLong;
    },
    dummyVerify: async (password) => {
      const hash = await dummy();
      await gate.run(() => bcrypt.compare(password, hash));
    },
    needsRehash: (hash) => {
      try {
        return bcrypt.getRounds(hash) !== options.cost;
      } catch {
        return true;
      }
    },
  };
}
