import { status } from '@grpc/grpc-js';

/** What a bounded load run saw: how many calls, which outcomes, and how long they took. */
export interface LoadResult {
  calls: number;
  /** Calls by outcome: 'OK' or a gRPC status name ('UNAVAILABLE', ...), or 'THROWN' for non-gRPC errors. */
  byCode: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Each call's outcome with its start and end, in order of completion (ms since the run began). */
  outcomes: { code: string; startMs: number; endMs: number }[];
}

export interface LoadOptions {
  /** Closed-loop workers, each issuing its next call when the previous one answered. */
  concurrency: number;
  /** Workers stop starting calls after this long... */
  durationMs: number;
  /** ...or after this many calls in all, whichever comes first. */
  maxCalls?: number;
  /** Stops early when it resolves true (checked before each call). */
  until?: () => boolean;
  call(index: number): Promise<unknown>;
}

/** The gRPC status name of a call's outcome. */
export function outcomeCode(error: unknown): string {
  if (error === undefined) return 'OK';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && status[code] !== undefined ? status[code] : 'THROWN';
}

/** Runs closed-loop load bounded in time and count; never rejects (failures are counted by code). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const began = performance.now();
  const maxCalls = options.maxCalls ?? Number.MAX_SAFE_INTEGER;
  const outcomes: LoadResult['outcomes'] = [];
  let started = 0;
  const worker = async () => {
    while (
      started < maxCalls &&
      performance.now() - began < options.durationMs &&
      !(options.until?.() ?? false)
    ) {
      const index = started++;
      const startMs = performance.now() - began;
      let code = 'OK';
      try {
        await options.call(index);
      } catch (error) {
        code = outcomeCode(error);
      }
      outcomes.push({ code, startMs, endMs: performance.now() - began });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return summarize(outcomes);
}

export function summarize(outcomes: LoadResult['outcomes']): LoadResult {
  const latencies = outcomes.map((o) => o.endMs - o.startMs).sort((a, b) => a - b);
  const byCode: Record<string, number> = {};
  for (const o of outcomes) byCode[o.code] = (byCode[o.code] ?? 0) + 1;
  return {
    calls: outcomes.length,
    byCode,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? 0,
    outcomes,
  };
}

/** The q-quantile of ascending `sorted` (nearest rank); 0 when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** A one-line summary of a load run, for logs and docs. */
export function describeLoad(result: LoadResult): string {
  return `${result.calls} calls ${JSON.stringify(result.byCode)} p50 ${result.p50Ms.toFixed(1)} ms p99 ${result.p99Ms.toFixed(1)} ms max ${result.maxMs.toFixed(1)} ms`;
}
