import type { Demand, Evaluation } from '../limiter/limit-spec';
import type { StoreCheck } from './limit-store';

/** One decision waiting for the next flush. */
export interface PendingDecision {
  readonly checks: readonly StoreCheck[];
  readonly demand: Demand;
  readonly now: number;
  resolve(results: Evaluation[]): void;
  reject(error: unknown): void;
}

export interface DecisionBatcherOptions {
  /**
   * Decides a batch (decisions of one group, in arrival order) in one atomic store call;
   * resolves four numbers per check, in order: allowed (1/0), remaining, resetAfterMs, retryAfterMs.
   */
  send(batch: readonly PendingDecision[]): Promise<readonly number[]>;
  /**
   * Most decisions in one store call. Smaller calls pipeline: while Redis runs one, the service
   * answers the decisions of the one before, where a single large call leaves each side waiting on
   * the other. A longer script also holds Redis longer.
   */
  maxBatch: number;
}

/**
 * Micro-batching: the decisions that arrive in one event-loop turn go to the store as one call per
 * group (on a Redis Cluster: per slot, since one script may only touch keys of one slot; on one
 * server: all together), decided one after the other inside it. This spreads the round trip and
 * the client's per-command cost over every concurrent request without changing any answer: the
 * store decides them sequentially and atomically, as if they had come one by one. A failed call
 * fails each of its decisions, and each caller's failure policy then applies.
 */
export class DecisionBatcher {
  private queues = new Map<number, PendingDecision[]>();
  private scheduled = false;

  constructor(private readonly options: DecisionBatcherOptions) {}

  /** Queues a decision with the others of its `group` (every check of it in that group's slot). */
  decide(checks: readonly StoreCheck[], demand: Demand, now: number, group: number): Promise<Evaluation[]> {
    if (checks.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(group);
      const pending: PendingDecision = { checks, demand, now, resolve, reject };
      if (queue === undefined) this.queues.set(group, [pending]);
      else queue.push(pending);
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: the requests read in this poll phase (on every
        // connection) and the callers woken by one answer all join the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queues = this.queues;
    this.queues = new Map();
    const { maxBatch } = this.options;
    for (const queue of queues.values()) {
      for (let start = 0; start < queue.length; start += maxBatch) {
        this.sendBatch(queue.length <= maxBatch ? queue : queue.slice(start, start + maxBatch));
      }
    }
  }

  private sendBatch(batch: readonly PendingDecision[]): void {
    let sent: Promise<readonly number[]>;
    try {
      sent = this.options.send(batch);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (reply) => {
        let at = 0;
        for (const decision of batch) {
          const results: Evaluation[] = new Array(decision.checks.length);
          for (let i = 0; i < results.length; i += 1, at += 4) {
            results[i] = {
              allowed: reply[at] === 1,
              remaining: reply[at + 1] ?? 0,
              resetAfterMs: reply[at + 2] ?? 0,
              retryAfterMs: reply[at + 3] ?? 0,
            };
          }
          decision.resolve(results);
        }
      },
      (error: unknown) => {
        for (const decision of batch) decision.reject(error);
      },
    );
  }
}
