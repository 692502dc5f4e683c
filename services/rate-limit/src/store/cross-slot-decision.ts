import type { Demand, Evaluation } from '../limiter/limit-spec';
import { admits, demandOf, type StoreCheck } from './limit-store';

/** What one slot's part of a decision committed: a check and the hits it took. */
export interface Commit {
  readonly check: StoreCheck;
  readonly hits: number;
}

export interface CrossSlotDecisionOptions {
  checks: readonly StoreCheck[];
  /** The Redis Cluster slot of each check, in order. */
  slots: readonly number[];
  demand: Demand;
  /** Decides the checks of one slot, all-or-nothing among themselves (one script call). */
  decide(checks: readonly StoreCheck[], slot: number): Promise<Evaluation[]>;
  /** Gives back what a slot's part committed (one refund script call on that slot). */
  refund(commits: readonly Commit[], slot: number): Promise<void>;
  /** A refund that failed: the counters keep hits nobody was admitted for (over-counting, never under). */
  onRefundError(error: unknown): void;
}

/**
 * A decision whose counters live in several cluster slots (descriptors with different first
 * entries): no script can touch them together, so each slot decides its part at once, in
 * parallel; when a part refuses (or fails) while others admitted, those give back exactly what they
 * took before the answer. The decision stays all-or-nothing; between the take and the give-back
 * another decision may see those hits counted, so it can be refused early, never admitted over a
 * limit. Resolves the evaluations in the checks' order; rejects with a failed part's error.
 */
export async function decideAcrossSlots(options: CrossSlotDecisionOptions): Promise<Evaluation[]> {
  const { checks, slots, demand } = options;
  const groups = new Map<number, number[]>();
  slots.forEach((slot, index) => {
    const indexes = groups.get(slot);
    if (indexes === undefined) groups.set(slot, [index]);
    else indexes.push(index);
  });
  const parts = [...groups].map(([slot, indexes]) => ({
    slot,
    indexes,
    checks: indexes.map((index) => checks[index]!),
  }));
  const settled = await Promise.allSettled(parts.map((part) => options.decide(part.checks, part.slot)));

  const results: Evaluation[] = new Array(checks.length);
  const committed: { slot: number; commits: Commit[] }[] = [];
  let failure: { error: unknown } | undefined;
  settled.forEach((outcome, k) => {
    const part = parts[k]!;
    if (outcome.status === 'rejected') {
      failure ??= { error: outcome.reason };
      return;
    }
    part.indexes.forEach((index, j) => (results[index] = outcome.value[j]!));
    if (!demand.consume || !admits(part.checks, outcome.value)) return;
    const commits: Commit[] = [];
    part.checks.forEach((check, j) => {
      const own = demandOf(check, demand);
      if (own.consume && outcome.value[j]?.allowed === true) commits.push({ check, hits: own.hits });
    });
    if (commits.length > 0) committed.push({ slot: part.slot, commits });
  });

  if (failure !== undefined || !admits(checks, results)) {
    await Promise.all(
      committed.map(({ slot, commits }) => options.refund(commits, slot).catch(options.onRefundError)),
    );
  }
  if (failure !== undefined) throw failure.error;
  return results;
}
