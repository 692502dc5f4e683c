import { summarizeLatencies, type LatencySummary } from './latency-summary';

export interface LoadOptions {
  /** The operation; each worker awaits one before starting the next (closed loop). */
  call: () => Promise<void>;
  /** Workers running at once. */
  concurrency: number;
  /** Measured time; the run ends when it is over or maxCalls were started, whichever comes first. */
  durationMs: number;
  /** Upper bound on measured calls. */
  maxCalls: number;
  /** Time spent calling before measuring (JIT, connection set-up); nothing is recorded. */
  warmupMs: number;
}

export interface LoadResult extends LatencySummary {
  /** Calls that succeeded during the measured time. */
  calls: number;
  /** Calls that failed during the measured time (not in the latencies). */
  errors: number;
  /** Successful calls per second of measured time. */
  throughputPerSec: number;
  /** The measured time, in milliseconds. */
  elapsedMs: number;
}

/** Runs `concurrency` closed-loop workers for a warm-up, then measures each call with hrtime. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { call, concurrency } = options;
  if (options.warmupMs > 0) {
    const until = performance.now() + options.warmupMs;
    await workers(concurrency, async () => {
      while (performance.now() < until) await call().catch(() => undefined);
    });
  }

  const latencies = new Float64Array(options.maxCalls);
  let started = 0;
  let calls = 0;
  let errors = 0;
  const begin = process.hrtime.bigint();
  const end = begin + BigInt(Math.round(options.durationMs * 1e6));
  await workers(concurrency, async () => {
    while (started < options.maxCalls && process.hrtime.bigint() < end) {
      started += 1;
      const callStart = process.hrtime.bigint();
      try {
        await call();
        latencies[calls] = Number(process.hrtime.bigint() - callStart) / 1e6;
        calls += 1;
      } catch {
        errors += 1;
      }
    }
  });
  const elapsedMs = Number(process.hrtime.bigint() - begin) / 1e6;
  return {
    calls,
    errors,
    throughputPerSec: elapsedMs > 0 ? (calls * 1000) / elapsedMs : 0,
    elapsedMs,
    ...summarizeLatencies(latencies.subarray(0, calls)),
  };
}

async function workers(count: number, work: () => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: count }, work));
}
