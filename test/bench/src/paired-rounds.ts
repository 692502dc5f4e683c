import { runLoad, type LoadResult } from './load-runner';
import type { ScenarioInstance } from './scenario';

export interface PairedRatio {
  throughput: number;
  p50: number;
  p99: number;
  mean: number;
  /** How many baseline/scenario pairs the median was taken over. */
  rounds: number;
}

export interface PairedRoundsOptions {
  baseline: ScenarioInstance;
  scenario: ScenarioInstance;
  concurrency: number;
  rounds: number;
  /** Measured time of each side of each round. */
  roundMs: number;
  maxCalls: number;
  warmupMs: number;
  gc?: () => void;
}

/**
 * Measures a scenario in rounds, each right next to a baseline round of the same length (order
 * alternating), so that a machine getting busier or quieter during the run moves both sides of a
 * pair alike. Returns the scenario's median-throughput round and the median of each ratio.
 */
export async function measurePaired(
  options: PairedRoundsOptions,
): Promise<{ result: LoadResult; ratio: PairedRatio }> {
  const pairs: { scenario: LoadResult; baseline: LoadResult }[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    const measure = async (instance: ScenarioInstance, warm: boolean) => {
      options.gc?.();
      return runLoad({
        call: () => instance.call(),
        concurrency: options.concurrency,
        durationMs: options.roundMs,
        maxCalls: options.maxCalls,
        // The first round warms up fully; later ones only refill the connection pipelines.
        warmupMs: warm ? options.warmupMs : Math.min(options.warmupMs, 100),
      });
    };
    const first = round === 0;
    if (round % 2 === 0) {
      const baseline = await measure(options.baseline, first);
      pairs.push({ baseline, scenario: await measure(options.scenario, first) });
    } else {
      const scenario = await measure(options.scenario, first);
      pairs.push({ scenario, baseline: await measure(options.baseline, first) });
    }
  }
  const ratios = (pick: (result: LoadResult) => number) =>
    pairs.map(({ scenario, baseline }) =>
      pick(baseline) === 0 ? Number.NaN : pick(scenario) / pick(baseline),
    );
  const byThroughput = [...pairs].sort((a, b) => a.scenario.throughputPerSec - b.scenario.throughputPerSec);
  return {
    result: byThroughput[Math.floor(byThroughput.length / 2)]!.scenario,
    ratio: {
      throughput: median(ratios((r) => r.throughputPerSec)),
      p50: median(ratios((r) => r.p50Ms)),
      p99: median(ratios((r) => r.p99Ms)),
      mean: median(ratios((r) => r.meanMs)),
      rounds: pairs.length,
    },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
