/**
 * Local allowances: hits taken from the rate-limit service ahead of need, spent here without a
 * round trip.
 *
 * When a CheckLimit for a descriptor set comes back allowed with plenty remaining, the next one asks
 * for a few extra hits; the service counts them like any other (so no replica can ever admit more
 * than the limit), and later calls with the same descriptors spend them locally until they run out
 * or expire. The price is the hits a replica holds but never spends: they stay counted. Three
 * bounds keep that small:
 * - a lease never exceeds the calls this replica saw for the descriptors in the last `ttlMs`
 *   (demand), so a quiet caller never gets one;
 * - nor `shareOfRemaining` of what the service reported remaining, and nothing at all below
 *   `minRemaining`: near a limit, and under small (human-scale) limits, every call is decided by
 *   the service, exactly as without allowances;
 * - nor `maxHits`; and leased hits expire after `ttlMs`, never later than the window they were
 *   counted in resets.
 */

export interface AllowanceOptions {
  /** Most extra hits one CheckLimit takes ahead of need (default 32). */
  readonly maxHits?: number;
  /** Largest share of the remaining a lease may take (default 0.1). */
  readonly shareOfRemaining?: number;
  /** No lease while the service reports fewer than this many remaining (default 100). */
  readonly minRemaining?: number;
  /** How long leased hits may be spent, at most (default 1000 ms). */
  readonly ttlMs?: number;
}

/** The limit figures of a decision, as the x-ratelimit-* headers report them. */
export interface LimitSnapshot {
  /** The most restrictive limit; 0 when no limiting rule matched. */
  readonly limit: number;
  /** What the service reported remaining, plus the hits held here and not yet spent. */
  readonly remaining: number;
  readonly resetAfterMs: number;
}

interface Entry {
  /** Leased hits not yet spent. */
  held: number;
  /** When the held hits lapse. */
  expiresAt: number;
  /** Figures of the last decision by the service (none yet: `answered` false). */
  answered: boolean;
  limit: number;
  remainingAtService: number;
  resetsAt: number;
  /** Calls seen in the current and the previous demand period (each `ttlMs` long). */
  periodStartedAt: number;
  callsThisPeriod: number;
  callsLastPeriod: number;
}

const maxEntries = 10_000;

export class LocalAllowances {
  private readonly entries = new Map<string, Entry>();
  private readonly maxHits: number;
  private readonly share: number;
  private readonly minRemaining: number;
  private readonly ttlMs: number;
  private spent = 0;

  constructor(options: AllowanceOptions = {}) {
    this.maxHits = nonNegativeInteger(options.maxHits ?? 32, 'maxHits');
    this.share = options.shareOfRemaining ?? 0.1;
    if (!(this.share >= 0 && this.share <= 1))
      throw new Error('allowance.shareOfRemaining must be within 0..1');
    this.minRemaining = nonNegativeInteger(options.minRemaining ?? 100, 'minRemaining');
    this.ttlMs = nonNegativeInteger(options.ttlMs ?? 1000, 'ttlMs');
  }

  /**
   * Spends held hits on as many of `calls` as it can (counting them as demand for `key` when they
   * are new). Returns how many were covered (the first ones) and the figures to report for them.
   */
  take(
    key: string,
    calls: number,
    now: number,
    countDemand: boolean,
  ): { covered: number; snapshot?: LimitSnapshot } {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = {
        held: 0,
        expiresAt: 0,
        answered: false,
        limit: 0,
        remainingAtService: 0,
        resetsAt: 0,
        periodStartedAt: now,
        callsThisPeriod: 0,
        callsLastPeriod: 0,
      };
      this.entries.set(key, entry);
      if (this.entries.size > maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    if (now - entry.periodStartedAt >= this.ttlMs) {
      // A gap longer than two periods means no demand at all last period.
      entry.callsLastPeriod = now - entry.periodStartedAt < 2 * this.ttlMs ? entry.callsThisPeriod : 0;
      entry.callsThisPeriod = 0;
      entry.periodStartedAt = now;
    }
    if (countDemand) entry.callsThisPeriod += calls;
    if (entry.held === 0) return { covered: 0 };
    if (now >= entry.expiresAt) {
      entry.held = 0;
      return { covered: 0 };
    }
    const covered = Math.min(entry.held, calls);
    entry.held -= covered;
    this.spent += covered;
    return { covered, snapshot: this.snapshot(entry, now) };
  }

  /** Extra hits the next CheckLimit for `key` should ask for: 0 unless demand and headroom allow. */
  leaseSize(key: string): number {
    const entry = this.entries.get(key);
    if (entry === undefined || !entry.answered || this.maxHits === 0) return 0;
    const demand = Math.max(entry.callsThisPeriod, entry.callsLastPeriod);
    if (entry.limit !== 0 && entry.remainingAtService < this.minRemaining) return 0;
    const headroom = entry.limit === 0 ? this.maxHits : Math.floor(entry.remainingAtService * this.share);
    return Math.max(0, Math.min(this.maxHits, headroom, demand));
  }

  /**
   * Records the service's answer to a CheckLimit that asked for `leased` extra hits and was allowed,
   * and returns the figures to report to the calls it decided.
   */
  granted(
    key: string,
    leased: number,
    answer: { limit: number; remaining: number; resetAfterMs: number },
    now: number,
  ): LimitSnapshot {
    const entry = this.entries.get(key);
    const snapshotOf = (held: number): LimitSnapshot => ({
      limit: answer.limit,
      remaining: answer.remaining + held,
      resetAfterMs: answer.resetAfterMs,
    });
    if (entry === undefined) return snapshotOf(0);
    entry.answered = true;
    entry.limit = answer.limit;
    entry.remainingAtService = answer.remaining;
    entry.resetsAt = now + answer.resetAfterMs;
    if (leased > 0) {
      const expiresAt =
        now + Math.min(this.ttlMs, answer.resetAfterMs > 0 ? answer.resetAfterMs : this.ttlMs);
      const stillHeld = entry.held > 0 && now < entry.expiresAt;
      entry.expiresAt = stillHeld ? Math.min(entry.expiresAt, expiresAt) : expiresAt;
      entry.held = (stillHeld ? entry.held : 0) + leased;
    }
    return snapshotOf(entry.held);
  }

  /** The service refused a call for `key`: lease nothing until it reports headroom again. */
  refused(key: string): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) entry.remainingAtService = 0;
  }

  /** Calls admitted from held hits so far. */
  spentLocally(): number {
    return this.spent;
  }

  /** Hits held now (counted by the service, not yet spent), over every descriptor set. */
  heldNow(now: number): number {
    let held = 0;
    for (const entry of this.entries.values()) if (now < entry.expiresAt) held += entry.held;
    return held;
  }

  private snapshot(entry: Entry, now: number): LimitSnapshot {
    return {
      limit: entry.limit,
      remaining: entry.remainingAtService + entry.held,
      resetAfterMs: Math.max(0, entry.resetsAt - now),
    };
  }
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`allowance.${name} must be a non-negative integer`);
  return value;
}
