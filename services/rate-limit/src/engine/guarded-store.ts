import type { Demand, Evaluation } from '../limiter/limit-spec';
import type { CircuitBreaker } from '../limiter/circuit-breaker';
import type { LimitStore, StoreCheck } from '../store/limit-store';

/** Why a store call did not answer. */
export class StoreUnavailableError extends Error {
  constructor(
    readonly reason: 'timeout' | 'circuit_open' | 'error',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export interface GuardedStoreOptions {
  store: LimitStore;
  breaker: CircuitBreaker;
  /** A call slower than this fails (its result, if it comes later, is ignored). */
  timeoutMs: number;
}

/** Runs store calls under the timeout and the circuit breaker; failures become StoreUnavailableError. */
export class GuardedStore {
  constructor(private readonly options: GuardedStoreOptions) {}

  get kind(): LimitStore['kind'] {
    return this.options.store.kind;
  }

  decide(checks: readonly StoreCheck[], demand: Demand, now: number): Promise<Evaluation[]> {
    return this.guard(() => this.options.store.decide(checks, demand, now));
  }

  release(key: string, leaseId: string, now: number): Promise<boolean> {
    return this.guard(() => this.options.store.release(key, leaseId, now));
  }

  reset(checks: readonly StoreCheck[], now: number): Promise<number> {
    return this.guard(() => this.options.store.reset(checks, now));
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    const { breaker, timeoutMs } = this.options;
    if (!breaker.tryAcquire()) throw new StoreUnavailableError('circuit_open', 'store circuit is open');
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new StoreUnavailableError('timeout', `store did not answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      breaker.onSuccess();
      return result;
    } catch (error) {
      breaker.onFailure();
      if (error instanceof StoreUnavailableError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError('error', `store failed: ${message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
