import { GatehouseError } from '@gatehouse/runtime';

/**
 * Bounds how many expensive operations (bcrypt) run at once; the rest wait in a bounded FIFO.
 * When the queue is full the call fails fast with RESOURCE_EXHAUSTED instead of piling up.
 */
export class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly queueMax: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.queueMax) {
        throw new GatehouseError('RESOURCE_EXHAUSTED', 'too many password operations in progress; retry', {
          reason: 'PASSWORD_HASHING_BUSY',
          retryAfterMs: 1000,
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }
}
