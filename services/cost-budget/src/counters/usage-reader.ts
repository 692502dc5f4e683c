import type { SqlExecutor } from '@gatehouse/runtime';
import { ledgerTotals } from '../ledger/ledger-entries';
import { usageKeyText, type UsageKey } from '../ledger/usage-key';
import type { Usage } from '../ledger/usage-rows';
import type { HotCounters } from './hot-counters';

const counterGraceMs = 86_400_000;

/**
 * Reads a usage row's spend and holds from the hot counters, rebuilding them from the ledger when
 * they are missing. Counters of a period expire a day after it ends.
 */
export async function readUsageThroughCounters(
  counters: HotCounters,
  ledger: SqlExecutor,
  key: UsageKey & { periodEndMs: number | undefined },
  nowMs: number,
): Promise<{ usage: Usage; rebuilt: boolean }> {
  const cached = await counters.read(key).catch(() => undefined);
  if (cached !== undefined) return { usage: cached, rebuilt: false };
  const usage = (await ledgerTotals(ledger, [key])).get(usageKeyText(key)) ?? {
    spentMicros: 0n,
    reservedMicros: 0n,
  };
  const ttlMs = key.periodEndMs === undefined ? undefined : key.periodEndMs - nowMs + counterGraceMs;
  await counters.write(key, usage, { onlyIfAbsent: true, ttlMs }).catch(() => undefined);
  return { usage, rebuilt: true };
}
