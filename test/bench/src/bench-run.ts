import type { BenchOptions } from './bench-options';
import { runLoad, type LoadResult } from './load-runner';
import { measurePaired, type PairedRatio, type ReferenceRatio } from './paired-rounds';
import type { ReferenceTarget, Scenario } from './scenario';

/** One scenario measured at one concurrency. */
export interface Measurement {
  scenario: string;
  concurrency: number;
  baseline: boolean;
  result: LoadResult;
  /** For scenarios: the median ratios to the baseline rounds paired with this scenario's rounds. */
  pairedRatio?: PairedRatio;
  /** For scenarios with a reference: the scenario against it, measured in the same rounds. */
  versus?: ReferenceRatio & { reference: string; target?: ReferenceTarget };
}

export interface BenchRunOptions extends BenchOptions {
  baseline: Scenario;
  scenarios: readonly Scenario[];
  /** Progress lines (stderr in main). */
  progress: (line: string) => void;
  /** Collects garbage between measurements when available (node --expose-gc). */
  gc?: () => void;
}

/** Picks the scenarios BENCH_ONLY names; throws naming an unknown one. */
export function selectScenarios(
  all: readonly Scenario[],
  only: readonly string[] | undefined,
  baseline: Scenario,
) {
  if (only === undefined) return all;
  const known = [baseline, ...all].map((scenario) => scenario.name);
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(`BENCH_ONLY names unknown scenario(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  return all.filter((scenario) => only.includes(scenario.name));
}

/**
 * Measures the baseline alone at each concurrency, then each scenario in rounds paired with
 * baseline rounds (see measurePaired). The baseline stays up for the whole run.
 */
export async function runBench(options: BenchRunOptions): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  const baseline = await options.baseline.setup();
  try {
    for (const concurrency of options.baseline.concurrencies) {
      options.gc?.();
      const result = await runLoad({
        call: () => baseline.call(),
        concurrency,
        durationMs: options.durationMs,
        maxCalls: options.maxCalls,
        warmupMs: options.warmupMs,
      });
      options.progress(`  ${options.baseline.name} x${concurrency}: ${describe(result)}`);
      measurements.push({ scenario: options.baseline.name, concurrency, baseline: true, result });
    }
    for (const scenario of options.scenarios) {
      const instance = await scenario.setup();
      const reference = await scenario.reference?.setup().catch(async (error: unknown) => {
        await instance.teardown();
        throw error;
      });
      try {
        for (const concurrency of scenario.concurrencies) {
          const measured = await measurePaired({
            baseline,
            scenario: instance,
            reference,
            concurrency,
            rounds: options.rounds,
            roundMs: Math.max(100, Math.round(options.durationMs / options.rounds)),
            maxCalls: options.maxCalls,
            warmupMs: options.warmupMs,
            gc: options.gc,
          });
          const { result, ratio } = measured;
          const compared = measured.reference;
          const referenceName = scenario.reference?.name ?? 'reference';
          if (compared !== undefined) {
            options.progress(`  ${referenceName} x${concurrency}: ${describe(compared.result)}`);
            measurements.push({
              scenario: referenceName,
              concurrency,
              baseline: false,
              result: compared.result,
              pairedRatio: compared.ratio,
            });
          }
          measurements.push({
            scenario: scenario.name,
            concurrency,
            baseline: false,
            result,
            pairedRatio: ratio,
            versus:
              compared === undefined
                ? undefined
                : {
                    ...compared.versus,
                    reference: referenceName,
                    target: scenario.reference?.targets?.find((target) => target.concurrency === concurrency),
                  },
          });
          options.progress(
            `  ${scenario.name} x${concurrency}: ${describe(result)}, x${ratio.throughput.toFixed(2)}`,
          );
        }
      } finally {
        await reference?.teardown();
        await instance.teardown();
      }
    }
  } finally {
    await baseline.teardown();
  }
  return measurements;
}

function describe(result: LoadResult): string {
  const errors = result.errors > 0 ? `, ${result.errors} errors` : '';
  return `${Math.round(result.throughputPerSec)} calls/s, p99 ${result.p99Ms.toFixed(3)} ms${errors}`;
}
