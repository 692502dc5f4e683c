import { describe, expect, it } from 'vitest';
import { renderReportTable, reportRows } from './bench-report';
import type { Measurement } from './bench-run';
import type { LoadResult } from './load-runner';

const load = (throughputPerSec: number, p50Ms: number): LoadResult => ({
  calls: throughputPerSec,
  errors: 0,
  throughputPerSec,
  elapsedMs: 1000,
  p50Ms,
  p99Ms: p50Ms * 3,
  meanMs: p50Ms,
});

describe('bench report', () => {
  it("shows each paired scenario's median ratio with its lowest and highest pair", () => {
    const measurements: Measurement[] = [
      { scenario: 'empty', concurrency: 32, baseline: true, result: load(1000, 1) },
      {
        scenario: 'guarded',
        concurrency: 32,
        baseline: false,
        result: load(800, 1.2),
        pairedRatio: {
          throughput: 0.8,
          throughputRange: [0.7512, 0.8749],
          p50: 1.2,
          p99: 1.2,
          mean: 1.2,
          rounds: 5,
        },
      },
    ];
    const rows = reportRows(measurements);
    expect(rows[1]?.ratioToBaseline).toEqual({
      throughput: 0.8,
      throughputRange: [0.751, 0.875],
      p50: 1.2,
      p99: 1.2,
      mean: 1.2,
    });
    const lines = renderReportTable(rows).split('\n');
    expect(lines[0]?.split(/\s+/)).toEqual([
      'scenario',
      'conc',
      'calls',
      'errors',
      'calls/s',
      'p50',
      'ms',
      'p99',
      'ms',
      'mean',
      'ms',
      'thru',
      'x',
      'rounds',
      'p99',
      'x',
    ]);
    expect(lines[2]?.split(/\s+/).slice(-3)).toEqual(['1.00', '-', '1.00']);
    expect(lines[3]?.split(/\s+/).slice(-3)).toEqual(['0.80', '0.75-0.88', '1.20']);
  });
});
