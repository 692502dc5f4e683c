import type { Demand, Evaluation, LimitSpec } from '../limiter/limit-spec';

/** One counter a decision reads (and, when every counter allows it, updates). */
export interface StoreCheck {
  /**
   * Logical key, e.g. `{gatehouse/user=42}:user-free-per-minute:user=42/tier=free`. Its hash tag
   * (the domain and the descriptor's first entry, see counterKey) is its Redis Cluster slot: the
   * counters of one descriptor always share it, those of one decision usually do.
   */
  readonly key: string;
  readonly spec: LimitSpec;
  /** Shadow-mode counters are counted but never block the decision. */
  readonly shadow: boolean;
  /** Concurrency only: the lease to record when the request is admitted. */
  readonly leaseId?: string;
  /**
   * This counter's own weight, in place of the decision's (Envoy's per-descriptor `hits_addend`);
   * its `consume` false checks the counter without adding to it.
   */
  readonly demand?: Demand;
}

/** What a decision asks of one counter: the check's own demand, within the decision's (a peek consumes nothing). */
export function demandOf(check: StoreCheck, demand: Demand): Demand {
  if (check.demand === undefined) return demand;
  return { hits: check.demand.hits, consume: demand.consume && check.demand.consume };
}

/**
 * Where counters live. `decide` is all-or-nothing: each check is evaluated; the counters are
 * updated only when `demand.consume` is set and every non-shadow check allows the request.
 * Both backends run the same algorithms (limiter/) with the caller's clock, and pass the same
 * contract suite.
 */
export interface LimitStore {
  readonly kind: 'redis' | 'memory';
  /** Redis only: true when it is a Redis Cluster. */
  readonly cluster?: boolean;
  /**
   * Set when the caller should arm no timer of its own: the store times its own calls, from when a
   * request actually leaves for the store (a batched decision may first wait for the rest of its
   * event-loop turn), rejecting with StoreTimeoutError; or, in-process, it cannot keep one waiting.
   */
  readonly timesOwnCalls?: boolean;
  /**
   * The store node a key lives on (a Redis Cluster master, by its slot), so the caller keeps one
   * circuit per node. Absent: one node.
   */
  nodeOf?(key: string): string;
  decide(checks: readonly StoreCheck[], demand: Demand, now: number): Promise<Evaluation[]>;
  /** Ends a concurrency lease; false when it had already ended or expired. */
  release(key: string, leaseId: string, now: number): Promise<boolean>;
  /** Forgets the counters of these checks; resolves how many existed. */
  reset(checks: readonly StoreCheck[], now: number): Promise<number>;
  /** One round trip to what decisions need (on a cluster: every master); rejects naming what failed. */
  ping(): Promise<void>;
  /**
   * Rejects while the store refuses commands as configured — Redis answered MOVED, NOAUTH,
   * WRONGTYPE, READONLY... in the last seconds, or a single-server client talks to a cluster node —
   * naming the reply and what to do. Absent for a store that cannot refuse (in-process).
   */
  checkConfiguration?(): Promise<void>;
  close(): Promise<void>;
}

/** True when the non-shadow checks all allow the request: the all-or-nothing rule. */
export function admits(checks: readonly StoreCheck[], results: readonly Evaluation[]): boolean {
  return checks.every((check, index) => check.shadow || results[index]?.allowed === true);
}
