import type { SqlExecutor } from '@gatehouse/runtime';
import { ledgerTotals } from '../ledger/ledger-entries';
import { usageKeyText, type UsageTarget } from '../ledger/usage-key';
import type { Usage } from '../ledger/usage-rows';
import type { HotCounters } from './hot-counters';

export interface CounterDrift {
  target: UsageTarget;
  ledger: Usage;
  counter: Usage;
}

export interface VerificationReport {
  drifts: CounterDrift[];
  checked: number;
  repaired: number;
}

/**
 * Compares each usage row's hot counters with the sum of its ledger entries. Missing counters are
 * rebuilt from the ledger (not drift: they were lost, and now hold the truth again); differing ones
 * are drift, rewritten from the ledger when `repair` is set.
 */
export async function verifyLedger(
  ledger: SqlExecutor,
  counters: HotCounters,
  targets: readonly UsageTarget[],
  options: { repair: boolean },
): Promise<VerificationReport> {
  const totals = await ledgerTotals(ledger, targets);
  const report: VerificationReport = { drifts: [], checked: targets.length, repaired: 0 };
  for (const target of targets) {
    const truth = totals.get(usageKeyText(target)) ?? { spentMicros: 0n, reservedMicros: 0n };
    const counter = await counters.read(target);
    if (counter === undefined) {
      await counters.write(target, truth, { onlyIfAbsent: true });
      continue;
    }
    if (counter.spentMicros === truth.spentMicros && counter.reservedMicros === truth.reservedMicros)
      continue;
    report.drifts.push({ target, ledger: truth, counter });
    if (options.repair) {
      await counters.write(target, truth, { onlyIfAbsent: false });
      report.repaired += 1;
    }
  }
  return report;
}
