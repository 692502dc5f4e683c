import { storeErrorReason, type StoreErrorReason } from '@gatehouse/runtime';
import type { Demand, Evaluation } from '../limiter/limit-spec';
import type { CircuitBreakers } from '../limiter/circuit-breakers';
import type { LimitStore, StoreCheck } from '../store/limit-store';
import { StoreTimeoutError } from '../store/store-timeout-error';

/** Why a store call did not answer: the open circuit, or the store error's reason (timeout, moved, noauth...). */
export class StoreUnavailableError extends Error {
  constructor(
    readonly reason: StoreErrorReason | 'circuit_open',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export interface GuardedStoreOptions {
  store: LimitStore;
  /** A circuit per store node (see LimitStore.nodeOf). */
  breakers: CircuitBreakers;
  /**
   * A call slower than this fails (its result, if it comes later, is ignored). Not armed here for
   * a store that times its own calls (`timesOwnCalls`).
   */
  timeoutMs: number;
}

/**
 * Runs store calls under the timeout and the circuit of the node they go to; failures become
 * StoreUnavailableError.
 */
export class GuardedStore {
  private readonly lastFailures = new Map<string, unknown>();

  constructor(private readonly options: GuardedStoreOptions) {}

  get kind(): LimitStore['kind'] {
    return this.options.store.kind;
  }

  decide(checks: readonly StoreCheck[], demand: Demand, now: number): Promise<Evaluation[]> {
    return this.guard(checks[0]?.key, () => this.options.store.decide(checks, demand, now));
  }

  release(key: string, leaseId: string, now: number): Promise<boolean> {
    return this.guard(key, () => this.options.store.release(key, leaseId, now));
  }

  reset(checks: readonly StoreCheck[], now: number): Promise<number> {
    return this.guard(checks[0]?.key, () => this.options.store.reset(checks, now));
  }

  private async guard<T>(key: string | undefined, call: () => Promise<T>): Promise<T> {
    const { breakers, store } = this.options;
    const node = key === undefined ? '' : (store.nodeOf?.(key) ?? '');
    const breaker = breakers.for(node);
    if (!breaker.tryAcquire()) {
      const where = node === '' ? '' : ` for ${node}`;
      throw new StoreUnavailableError('circuit_open', `store circuit is open${where}`);
    }
    try {
      const result = await (store.timesOwnCalls === true ? call() : this.withTimeout(call));
      breaker.onSuccess();
      return result;
    } catch (error) {
      // The decisions of one failed batch share its error: one failed store call, one failure.
      const repeated = typeof error === 'object' && error === this.lastFailures.get(node);
      this.lastFailures.set(node, error);
      if (!repeated) breaker.onFailure();
      if (error instanceof StoreUnavailableError) throw error;
      if (error instanceof StoreTimeoutError) throw new StoreUnavailableError('timeout', error.message);
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(storeErrorReason(error), `store failed: ${message}`, { cause: error });
    }
  }

  /** A node's last store failure, as the store said it (e.g. "MOVED 866 127.0.0.1:7001"); '' before any. */
  lastFailureMessage(node = ''): string {
    const last = this.lastFailures.get(node);
    if (last === undefined) return '';
    return last instanceof Error ? last.message : String(last);
  }

  private async withTimeout<T>(call: () => Promise<T>): Promise<T> {
    const { timeoutMs } = this.options;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new StoreUnavailableError('timeout', `store did not answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
