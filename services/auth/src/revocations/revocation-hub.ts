import type { Clock, KeyValueStore, Logger } from '@gatehouse/runtime';
import { decodeRevocation, encodeRevocation, type RevocationRecord } from './revocation';
import type { RevocationJournal } from './revocation-journal';

const channel = 'auth:revocations';
/** Expired journal rows are deleted at most this often. */
const pruneEveryMs = 60_000;

export type RevocationListener = (revocation: RevocationRecord) => void;

/**
 * Revocations on every replica: each is written to the journal (for the snapshots of future
 * watchers) and published through the key-value store's pub/sub, whose messages reach every
 * replica, this one included; each replica hands them to its open WatchRevocations streams.
 */
export class RevocationHub {
  private readonly listeners = new Set<RevocationListener>();
  private readonly ending = new AbortController();
  private unsubscribe: (() => Promise<void>) | undefined;
  private lastPrune = 0;

  /** Aborted when the service starts draining: open watches end so the drain is not held up. */
  readonly watchesEnded: AbortSignal = this.ending.signal;

  constructor(
    private readonly options: { journal: RevocationJournal; kv: KeyValueStore; clock: Clock; logger: Logger },
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.options.kv.subscribe(channel, (message) => {
      const revocation = decodeRevocation(message);
      if (revocation === undefined) return;
      for (const listener of this.listeners) listener(revocation);
    });
  }

  /**
   * Records and broadcasts one revocation. Called after the service itself enforces it, so a
   * verifier that falls back to Authenticate on hearing it gets the refusal. Store failures are
   * logged, not thrown: the revocation itself already took effect in the service.
   */
  async publish(revocation: RevocationRecord): Promise<void> {
    const { journal, kv, clock, logger } = this.options;
    try {
      await journal.record(revocation);
      const now = clock.now();
      if (now - this.lastPrune >= pruneEveryMs) {
        this.lastPrune = now;
        await journal.prune(now);
      }
    } catch (error) {
      logger.warn(
        { err: error },
        'could not journal a revocation; new watchers will not see it in their snapshot',
      );
    }
    try {
      await kv.publish(channel, encodeRevocation(revocation));
    } catch (error) {
      logger.warn({ err: error }, 'could not broadcast a revocation; watchers see it on their next snapshot');
    }
  }

  listen(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  endWatches(): void {
    this.ending.abort();
  }

  async stop(): Promise<void> {
    this.endWatches();
    await this.unsubscribe?.();
  }
}
