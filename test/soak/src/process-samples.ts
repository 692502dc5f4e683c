import type { SpawnedService } from '../../support/spawned-service';

/** One reading of a process's memory and event-loop lag from its /metrics. */
export interface Sample {
  atMs: number;
  rss: number;
  heapUsed: number;
  /** nodejs_eventloop_lag_p99_seconds, in ms. */
  lagP99Ms: number;
}

/** The value of the first sample of a metric in Prometheus text format (labels ignored), or NaN. */
function metricValue(text: string, name: string): number {
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name} `) || candidate.startsWith(`${name}{`));
  if (line === undefined) return Number.NaN;
  const afterLabels = line.startsWith(`${name}{`)
    ? line.slice(line.indexOf('} ') + 2)
    : line.slice(name.length + 1);
  return Number(afterLabels.split(' ')[0]);
}

/** Reads a process's /metrics; undefined when it cannot, or it exports no memory gauges. */
export async function sample(service: SpawnedService, startedAt: number): Promise<Sample | undefined> {
  try {
    const response = await fetch(`${service.opsUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
    const text = await response.text();
    const taken = {
      atMs: Date.now() - startedAt,
      rss: metricValue(text, 'process_resident_memory_bytes'),
      heapUsed: metricValue(text, 'nodejs_heap_size_used_bytes'),
      lagP99Ms: metricValue(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    };
    // A process that does not export its memory gauges yields no sample (and fails the sample count).
    return Number.isFinite(taken.rss) && Number.isFinite(taken.heapUsed) ? taken : undefined;
  } catch {
    return undefined;
  }
}
