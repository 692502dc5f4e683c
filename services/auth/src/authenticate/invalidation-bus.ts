import type { KeyValueStore, Logger } from '@gatehouse/runtime';
import type { Invalidation } from './credential-cache';

const channel = 'auth:invalidate';

/**
 * Tells every replica (through the key-value store's pub/sub) to drop cached verifications. A lost
 * message is covered by the cache's max age; delivery is normally a few milliseconds.
 */
export class InvalidationBus {
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly logger: Logger,
  ) {}

  async start(onInvalidate: (what: Invalidation) => void): Promise<void> {
    this.unsubscribe = await this.kv.subscribe(channel, (message) => {
      const parsed = parse(message);
      if (parsed) onInvalidate(parsed);
    });
  }

  async publish(what: Invalidation): Promise<void> {
    const message = what.kind === 'all' ? 'all' : `${what.kind}:${what.id}`;
    try {
      await this.kv.publish(channel, message);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not publish a cache invalidation; replicas rely on max age');
    }
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.();
  }
}

function parse(message: string): Invalidation | undefined {
  if (message === 'all') return { kind: 'all' };
  const at = message.indexOf(':');
  const kind = message.slice(0, at);
  const id = message.slice(at + 1);
  if (at < 1 || id === '') return undefined;
  if (kind === 'user' || kind === 'jti' || kind === 'sid' || kind === 'key') return { kind, id };
  return undefined;
}
