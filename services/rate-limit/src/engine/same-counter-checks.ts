import type { Demand, Evaluation } from '../limiter/limit-spec';
import { demandOf, type StoreCheck } from '../store/limit-store';

/** The checks one store call carries, and how its answers map back to the request's checks. */
export interface CounterGroups {
  /** One check per counter. */
  readonly checks: readonly StoreCheck[];
  /** The answer for each of the request's checks, from the answers for `checks`. */
  spread(results: readonly Evaluation[]): Evaluation[];
}

/**
 * Several descriptors of one request can name the same counter (two values of one shared
 * wildcard, or the same descriptor twice). The store evaluates every check before it updates any,
 * so each would see the counter without the others' hits; sent as one check carrying their summed
 * hits, the counter takes them all or none. Each then reports what is left after itself and the
 * ones before it, as if counted one after the other (as Envoy counts them). Concurrency checks (a
 * lease each) and checks that do not consume are sent as they are. Undefined when no counter is
 * named twice: the checks are sent as they are.
 */
export function groupSameCounters(checks: readonly StoreCheck[], demand: Demand): CounterGroups | undefined {
  // Undefined (nothing allocated) in the common case: every check is its own counter.
  if (checks.length < 2 || !demand.consume || !hasSharedCounter(checks, demand)) return undefined;
  const hitsOf = (check: StoreCheck) => demandOf(check, demand).hits;
  const sent: StoreCheck[] = [];
  /** Per request check: the sent check answering it, and the hits of its group after it. */
  const slot: { sent: number; later: number }[] = [];
  const groupOf = new Map<string, { sent: number; members: number[] }>();
  checks.forEach((check, i) => {
    const group = merges(check, demand) ? groupOf.get(check.key) : undefined;
    if (group === undefined) {
      if (merges(check, demand)) groupOf.set(check.key, { sent: sent.length, members: [i] });
      slot[i] = { sent: sent.length, later: 0 };
      sent.push(check);
      return;
    }
    group.members.push(i);
    const merged = sent[group.sent]!;
    sent[group.sent] = { ...merged, demand: { hits: hitsOf(merged) + hitsOf(check), consume: true } };
    for (const member of group.members.slice(0, -1)) slot[member]!.later += hitsOf(check);
    slot[i] = { sent: group.sent, later: 0 };
  });
  return {
    checks: sent,
    spread: (results) =>
      slot.map(({ sent: index, later }) => {
        const result = results[index]!;
        return result.allowed && later > 0 ? { ...result, remaining: result.remaining + later } : result;
      }),
  };
}

function merges(check: StoreCheck, demand: Demand): boolean {
  return check.spec.algorithm !== 'concurrency' && demandOf(check, demand).consume;
}

function hasSharedCounter(checks: readonly StoreCheck[], demand: Demand): boolean {
  const seen = new Set<string>();
  for (const check of checks) {
    if (!merges(check, demand)) continue;
    if (seen.has(check.key)) return true;
    seen.add(check.key);
  }
  return false;
}
