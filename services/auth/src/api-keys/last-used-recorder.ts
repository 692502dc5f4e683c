import type { Clock, Logger } from '@gatehouse/runtime';
import type { ApiKeyStore } from './api-key-store';

/**
 * Remembers when each API key was last used and writes them in one statement per interval, so
 * Authenticate never writes to SQL. `last_used_at` may lag real use by up to the interval.
 */
export class LastUsedRecorder {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ApiKeyStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  touch(keyId: string): void {
    this.pending.set(keyId, this.clock.now());
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.store.recordLastUsed(batch);
    } catch (error) {
      this.logger.warn({ err: error, keys: batch.size }, 'could not record API key use; will retry');
      for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
