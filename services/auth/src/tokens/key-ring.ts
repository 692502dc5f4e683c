import type { Clock, Logger } from '@gatehouse/runtime';
import type { SigningKey, SigningKeyStore } from './signing-key-store';

export interface KeyRingOptions {
  store: SigningKeyStore;
  clock: Clock;
  logger: Logger;
  /** How long a new key is published before it signs. */
  publishAheadMs: number;
  /** How long a replaced key stays published: the longest token lifetime plus clock skew. */
  retireAfterMs: number;
  /** Scheduled rotation period; 0 = only on demand. */
  rotationIntervalMs: number;
}

/**
 * The signing keys a replica knows: reloaded from SQL periodically and whenever a token names an
 * unknown kid (at most once a second), so keys rotated by another replica are picked up in time.
 */
export class KeyRing {
  private keys = new Map<string, SigningKey>();
  private lastReload = 0;
  private reloading: Promise<void> | undefined;

  constructor(private readonly options: KeyRingOptions) {}

  /** Loads the keys, creating the first one when there is none. */
  async start(): Promise<void> {
    const now = this.options.clock.now();
    await this.options.store.add(now, this.options.retireAfterMs, now, (current) => current.length === 0);
    await this.reload();
  }

  async reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const now = this.options.clock.now();
        const keys = await this.options.store.published(now);
        this.keys = new Map(keys.map((key) => [key.kid, key]));
        this.lastReload = now;
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /** The public key for `kid`, reloading once (rate-limited) when it is not known yet. */
  async verificationKey(kid: string): Promise<SigningKey | undefined> {
    const known = this.keys.get(kid);
    if (known !== undefined) return known;
    if (this.options.clock.now() - this.lastReload < 1000) return undefined;
    await this.reload();
    return this.keys.get(kid);
  }

  knownKey(kid: string): SigningKey | undefined {
    return this.keys.get(kid);
  }

  /** The newest key whose signing time has come. */
  signer(): SigningKey {
    const now = this.options.clock.now();
    let chosen: SigningKey | undefined;
    for (const key of this.keys.values()) {
      if (key.signsFrom <= now && (chosen === undefined || key.signsFrom > chosen.signsFrom)) chosen = key;
    }
    if (chosen === undefined) throw new Error('no signing key is active');
    return chosen;
  }

  /** Every published key (the JWKS), including the next signer. */
  published(): SigningKey[] {
    const now = this.options.clock.now();
    return [...this.keys.values()].filter((key) => key.publishUntil === undefined || key.publishUntil > now);
  }

  /** Publishes a new key that signs after the publish-ahead delay. */
  async rotate(): Promise<SigningKey> {
    const now = this.options.clock.now();
    const key = await this.options.store.add(
      now + this.options.publishAheadMs,
      this.options.retireAfterMs,
      now,
      () => true,
    );
    await this.reload();
    this.options.logger.info({ kid: key?.kid }, 'signing key rotated');
    return key as SigningKey;
  }

  /** Scheduled rotation: adds a key when the current signer is due and no newer key is pending. */
  async rotateIfDue(): Promise<SigningKey | undefined> {
    const { rotationIntervalMs, publishAheadMs, retireAfterMs } = this.options;
    if (rotationIntervalMs <= 0) return undefined;
    const now = this.options.clock.now();
    const key = await this.options.store.add(now + publishAheadMs, retireAfterMs, now, (current) => {
      const newest = current.at(-1);
      return newest === undefined || newest.signsFrom + rotationIntervalMs - publishAheadMs <= now;
    });
    await this.reload();
    if (key) this.options.logger.info({ kid: key.kid }, 'signing key rotated on schedule');
    return key;
  }
}
