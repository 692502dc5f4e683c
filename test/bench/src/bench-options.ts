/** How a bench run is shaped, read once from the environment. */
export interface BenchOptions {
  /** BENCH_DURATION_MS, default 3000: measured time of each scenario at each concurrency. */
  durationMs: number;
  /** BENCH_WARMUP_MS, default 500: unmeasured calls before each measurement. */
  warmupMs: number;
  /**
   * BENCH_ROUNDS, default 3: each scenario's measured time is split into this many rounds, each
   * paired with a baseline round of the same length right next to it; ratios are the median pair's.
   */
  rounds: number;
  /** BENCH_MAX_CALLS, default 1000000: upper bound on calls of one measurement. */
  maxCalls: number;
  /** BENCH_ONLY, comma-separated scenario names; every scenario when unset. The baseline always runs. */
  only?: readonly string[];
}

export type BenchEnv = Readonly<Record<string, string | undefined>>;

/** Reads the BENCH_* variables; throws an Error naming the variable when one is invalid. */
export function readBenchOptions(env: BenchEnv): BenchOptions {
  const only = env.BENCH_ONLY?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return {
    durationMs: integer(env, 'BENCH_DURATION_MS', 3000, 100, 600_000),
    warmupMs: integer(env, 'BENCH_WARMUP_MS', 500, 0, 60_000),
    rounds: integer(env, 'BENCH_ROUNDS', 3, 1, 20),
    maxCalls: integer(env, 'BENCH_MAX_CALLS', 1_000_000, 1, 50_000_000),
    only: only === undefined || only.length === 0 ? undefined : only,
  };
}

function integer(env: BenchEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
