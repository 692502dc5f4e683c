import type { BenchOptions } from './bench-options';
import { runLoad, type LoadResult } from './load-runner';
import type { Scenario } from './scenario';

/** One scenario measured at one concurrency. */
export interface Measurement {
  scenario: string;
  concurrency: number;
  baseline: boolean;
  result: LoadResult;
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

/** Measures the baseline, then each scenario, at each of their concurrencies, one at a time. */
export async function runBench(options: BenchRunOptions): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (const scenario of [options.baseline, ...options.scenarios]) {
    const instance = await scenario.setup();
    try {
      for (const concurrency of scenario.concurrencies) {
        options.gc?.();
        const result = await runLoad({
          call: instance.call,
          concurrency,
          durationMs: options.durationMs,
          maxCalls: options.maxCalls,
          warmupMs: options.warmupMs,
        });
        options.progress(
          `  ${scenario.name} x${concurrency}: ${Math.round(result.throughputPerSec)} calls/s, ` +
            `p99 ${result.p99Ms.toFixed(3)} ms${result.errors > 0 ? `, ${result.errors} errors` : ''}`,
        );
        measurements.push({
          scenario: scenario.name,
          concurrency,
          baseline: scenario === options.baseline,
          result,
        });
      }
    } finally {
      await instance.teardown();
    }
  }
  return measurements;
}
