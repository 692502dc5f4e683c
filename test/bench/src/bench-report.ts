import type { Measurement } from './bench-run';
import type { ReferenceTarget } from './scenario';

/** A measurement with its ratios to the baseline measured at the same concurrency in the same run. */
export interface ReportRow {
  scenario: string;
  concurrency: number;
  baseline: boolean;
  calls: number;
  errors: number;
  throughputPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /**
   * this / baseline: the median over rounds paired with baseline rounds (scenarios), or against the
   * baseline's own measurement at this concurrency; undefined when there is neither.
   */
  ratioToBaseline?: {
    throughput: number;
    /** Paired rounds only: the lowest and highest throughput ratio of a single pair. */
    throughputRange?: readonly [number, number];
    p50: number;
    p99: number;
    mean: number;
  };
  /** Scenarios with a reference: against it, medians over the rounds that measured both. */
  versus?: {
    reference: string;
    throughput: number;
    p50: number;
    addedP50RoundTrips: number;
    target?: ReferenceTarget;
  };
}

export interface BenchReport {
  startedAt: string;
  node: string;
  platform: string;
  cpus: number;
  durationMs: number;
  warmupMs: number;
  rows: ReportRow[];
}

export function reportRows(measurements: readonly Measurement[]): ReportRow[] {
  return measurements.map(({ scenario, concurrency, baseline, result, pairedRatio, versus }) => {
    const base = measurements.find((m) => m.baseline && m.concurrency === concurrency)?.result;
    const ratio = (value: number, reference: number | undefined) =>
      reference === undefined || reference === 0 ? Number.NaN : round(value / reference, 3);
    return {
      scenario,
      concurrency,
      baseline,
      calls: result.calls,
      errors: result.errors,
      throughputPerSec: round(result.throughputPerSec, 1),
      p50Ms: round(result.p50Ms, 4),
      p99Ms: round(result.p99Ms, 4),
      meanMs: round(result.meanMs, 4),
      ratioToBaseline: pairedRatio
        ? {
            throughput: round(pairedRatio.throughput, 3),
            throughputRange: [
              round(pairedRatio.throughputRange[0], 3),
              round(pairedRatio.throughputRange[1], 3),
            ] as const,
            p50: round(pairedRatio.p50, 3),
            p99: round(pairedRatio.p99, 3),
            mean: round(pairedRatio.mean, 3),
          }
        : base === undefined
          ? undefined
          : {
              throughput: ratio(result.throughputPerSec, base.throughputPerSec),
              p50: ratio(result.p50Ms, base.p50Ms),
              p99: ratio(result.p99Ms, base.p99Ms),
              mean: ratio(result.meanMs, base.meanMs),
            },
      ...(versus === undefined
        ? {}
        : {
            versus: {
              reference: versus.reference,
              throughput: round(versus.throughput, 3),
              p50: round(versus.p50, 3),
              addedP50RoundTrips: round(versus.addedP50RoundTrips, 3),
              ...(versus.target === undefined ? {} : { target: versus.target }),
            },
          }),
    };
  });
}

function rangeOf(range: readonly [number, number] | undefined): string {
  return range === undefined ? '-' : `${range[0].toFixed(2)}-${range[1].toFixed(2)}`;
}

/** The report as a plain-text table. */
export function renderReportTable(rows: readonly ReportRow[]): string {
  const header = [
    'scenario',
    'conc',
    'calls',
    'errors',
    'calls/s',
    'p50 ms',
    'p99 ms',
    'mean ms',
    'thru x',
    'rounds',
    'p99 x',
  ];
  const cells = rows.map((row) => [
    row.scenario,
    String(row.concurrency),
    String(row.calls),
    String(row.errors),
    row.throughputPerSec.toFixed(0),
    row.p50Ms.toFixed(3),
    row.p99Ms.toFixed(3),
    row.meanMs.toFixed(3),
    row.ratioToBaseline ? row.ratioToBaseline.throughput.toFixed(2) : '-',
    rangeOf(row.ratioToBaseline?.throughputRange),
    row.ratioToBaseline ? row.ratioToBaseline.p99.toFixed(2) : '-',
  ]);
  const table = [header, ...cells];
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  const pad = (cell: string, column: number) =>
    column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0);
  const line = (row: readonly string[]) => row.map(pad).join('  ');
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
    '',
    'thru x = throughput / baseline throughput (higher is better); rounds = its lowest and highest pair;',
    'p99 x = p99 / baseline p99 (lower is better);',
    'each scenario ran in rounds, each next to a baseline round of the same length at the same concurrency;',
    'the ratios are the medians over those pairs (BENCH_ROUNDS), the figures the median round.',
    '',
    ...renderReferenceComparisons(rows),
  ].join('\n');
}

/** One line per scenario row measured against a reference, with its target when it has one. */
function renderReferenceComparisons(rows: readonly ReportRow[]): string[] {
  const compared = rows.filter((row) => row.versus !== undefined);
  if (compared.length === 0) return [];
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  return [
    'against a reference (measured in the same rounds as the scenario and the baseline):',
    ...compared.map((row) => {
      const { reference, throughput, addedP50RoundTrips, target } = row.versus!;
      const goals: string[] = [];
      if (target?.minThroughputRatio !== undefined) {
        goals.push(
          `target thru >= ${target.minThroughputRatio}: ${verdict(throughput >= target.minThroughputRatio)}`,
        );
      }
      if (target?.maxAddedP50RoundTrips !== undefined) {
        const max = target.maxAddedP50RoundTrips;
        goals.push(`target added p50 <= ${max}: ${verdict(addedP50RoundTrips <= max)}`);
      }
      return (
        `  ${row.scenario} x${row.concurrency} vs ${reference}: thru x${throughput.toFixed(2)}, ` +
        `added p50 ${addedP50RoundTrips.toFixed(2)} baseline round trips` +
        (goals.length > 0 ? ` (${goals.join('; ')})` : '')
      );
    }),
    '',
  ];
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
