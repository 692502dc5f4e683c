import { describe, expect, it } from 'vitest';
import { summarizeLatencies } from './latency-summary';
import { runLoad } from './load-runner';

describe('summarizeLatencies', () => {
  it('takes nearest-rank percentiles and the mean', () => {
    const samples = Float64Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarizeLatencies(samples)).toEqual({ p50Ms: 50, p99Ms: 99, meanMs: 50.5 });
    expect(summarizeLatencies(new Float64Array(0))).toEqual({ p50Ms: 0, p99Ms: 0, meanMs: 0 });
  });
});

describe('runLoad', () => {
  it('stops at maxCalls and keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const result = await runLoad({
      call: async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
      },
      concurrency: 4,
      durationMs: 10_000,
      maxCalls: 200,
      warmupMs: 0,
    });
    expect(result.calls).toBe(200);
    expect(most).toBe(4);
    expect(result.elapsedMs).toBeLessThan(5000);
    expect(result.throughputPerSec).toBeGreaterThan(0);
  });

  it('stops when the time is up and counts failures apart from latencies', async () => {
    let n = 0;
    const result = await runLoad({
      call: async () => {
        n += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (n % 2 === 0) throw new Error('odd one out');
      },
      concurrency: 2,
      durationMs: 200,
      maxCalls: 1_000_000,
      warmupMs: 0,
    });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(200);
    expect(result.elapsedMs).toBeLessThan(1000);
    expect(result.errors).toBeGreaterThan(0);
    expect(Math.abs(result.calls - result.errors)).toBeLessThanOrEqual(2);
    expect(result.p50Ms).toBeGreaterThanOrEqual(4);
  });
});
