/** Latency figures of a set of samples, in milliseconds. */
export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/** Nearest-rank percentiles and the mean of `samples` (ms); zeros when there are none. Sorts in place. */
export function summarizeLatencies(samples: Float64Array): LatencySummary {
  if (samples.length === 0) return { p50Ms: 0, p99Ms: 0, meanMs: 0 };
  samples.sort();
  let total = 0;
  for (const sample of samples) total += sample;
  return {
    p50Ms: percentile(samples, 0.5),
    p99Ms: percentile(samples, 0.99),
    meanMs: total / samples.length,
  };
}

function percentile(sorted: Float64Array, fraction: number): number {
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}
