import { createPublicKey, type KeyObject } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import type { authV1 } from '@gatehouse/contracts';
import { jwtAlgorithm } from '@gatehouse/credentials';

export interface JwksCacheOptions {
  client: authV1.AuthServiceClient;
  /** Deadline of each GetJwks call, in ms. */
  timeoutMs: number;
  /** Unknown key ids trigger at most one GetJwks per this many ms (rotation, not a flood of forged kids). */
  minRefreshIntervalMs: number;
  now: () => number;
  /** Called after the key set changed (keys added or retired). */
  onChange?: () => void;
}

/**
 * The auth service's published public keys (the one algorithm, RS256; keys for anything else are
 * ignored) by key id, fetched with GetJwks when the
 * revocation feed reports a change and, rate-limited, when a token names a key id not known here.
 */
export class JwksCache {
  private keys = new Map<string, KeyObject>();
  private fetching: Promise<void> | undefined;
  private lastFetchStartedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: JwksCacheOptions) {}

  get(kid: string): KeyObject | undefined {
    return this.keys.get(kid);
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  /** Fetches now (joining a fetch already under way); resolves once the keys are replaced or failed. */
  refresh(): Promise<void> {
    this.fetching ??= this.fetch().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  /** A refresh unless one ran within the minimum interval: for unknown key ids. */
  refreshSoon(): void {
    if (this.options.now() - this.lastFetchStartedAt < this.options.minRefreshIntervalMs) return;
    void this.refresh();
  }

  private async fetch(): Promise<void> {
    this.lastFetchStartedAt = this.options.now();
    const response = await new Promise<authV1.GetJwksResponse | undefined>((resolve) => {
      this.options.client.getJwks(
        {},
        new Metadata(),
        { deadline: Date.now() + this.options.timeoutMs },
        (error, answer) => resolve(error === null ? answer : undefined),
      );
    });
    // A failed fetch keeps the keys known so far; the revocation feed's freshness governs trust.
    if (response === undefined) return;
    const next = new Map<string, KeyObject>();
    for (const jwk of response.keys) {
      const key = publicKeyOf(jwk);
      if (key !== undefined) next.set(jwk.kid, key);
    }
    const changed = next.size !== this.keys.size || [...next.keys()].some((kid) => !this.keys.has(kid));
    this.keys = next;
    if (changed) this.options.onChange?.();
  }
}

function publicKeyOf(jwk: authV1.Jwk): KeyObject | undefined {
  if (jwk.kty !== 'RSA' || jwk.alg !== jwtAlgorithm || jwk.kid === '') return undefined;
  try {
    return createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
  } catch {
    return undefined;
  }
}
