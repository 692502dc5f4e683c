import { runLoad, type LoadResult } from './load-runner';
import type { ScenarioInstance } from './scenario';

export interface PairedRatio {
  throughput: number;
  /** Lowest and highest throughput ratio of a single pair: how far one round can be trusted. */
  throughputRange: readonly [number, number];
  p50: number;
  p99: number;
  mean: number;
  /** How many baseline/scenario pairs the median was taken over. */
  rounds: number;
}

/** A scenario against its reference (the same operation without the feature), medians over rounds. */
export interface ReferenceRatio {
  /** scenario throughput / reference throughput. */
  throughput: number;
  /** scenario p50 / reference p50. */
  p50: number;
  /** (scenario p50 - reference p50) / baseline p50: the added latency in baseline round trips. */
  addedP50RoundTrips: number;
}

export interface PairedRoundsOptions {
  baseline: ScenarioInstance;
  scenario: ScenarioInstance;
  /** Measured in every round too (between the other two), for `versusReference`. */
  reference?: ScenarioInstance;
  concurrency: number;
  rounds: number;
  /** Measured time of each side of each round. */
  roundMs: number;
  maxCalls: number;
  warmupMs: number;
  gc?: () => void;
}

export interface PairedMeasurement {
  /** The scenario's median-throughput round. */
  result: LoadResult;
  /** Scenario / baseline. */
  ratio: PairedRatio;
  /** With a reference: its median-throughput round, its ratios to the baseline, and the scenario against it. */
  reference?: { result: LoadResult; ratio: PairedRatio; versus: ReferenceRatio };
}

interface Round {
  baseline: LoadResult;
  scenario: LoadResult;
  reference?: LoadResult;
}

/**
 * Measures a scenario in rounds, each right next to a baseline round of the same length (order
 * alternating), so that a machine getting busier or quieter during the run moves both sides of a
 * pair alike. Returns the scenario's median-throughput round and the median of each ratio. With a
 * reference, each round measures baseline, reference and scenario (the order reversed every other
 * round), so the scenario is compared with the reference under the same conditions too.
 */
export async function measurePaired(options: PairedRoundsOptions): Promise<PairedMeasurement> {
  const rounds: Round[] = [];
  for (let index = 0; index < options.rounds; index += 1) {
    const first = index === 0;
    const measure = async (instance: ScenarioInstance) => {
      options.gc?.();
      return runLoad({
        call: () => instance.call(),
        concurrency: options.concurrency,
        durationMs: options.roundMs,
        maxCalls: options.maxCalls,
        // The first round warms up fully; later ones only refill the connection pipelines.
        warmupMs: first ? options.warmupMs : Math.min(options.warmupMs, 100),
      });
    };
    const sides: (keyof Round)[] = options.reference
      ? ['baseline', 'reference', 'scenario']
      : ['baseline', 'scenario'];
    if (index % 2 === 1) sides.reverse();
    const round: Partial<Round> = {};
    for (const side of sides) round[side] = await measure(options[side]!);
    rounds.push(round as Round);
  }
  const scenario = summarizeRounds(rounds, (round) => round.scenario);
  if (options.reference === undefined) return scenario;
  const reference = summarizeRounds(rounds, (round) => round.reference!);
  const perRound = (pick: (round: Round) => number) => median(rounds.map(pick));
  return {
    ...scenario,
    reference: {
      ...reference,
      versus: {
        throughput: perRound((r) => r.scenario.throughputPerSec / r.reference!.throughputPerSec),
        p50: perRound((r) => r.scenario.p50Ms / r.reference!.p50Ms),
        addedP50RoundTrips: perRound((r) => (r.scenario.p50Ms - r.reference!.p50Ms) / r.baseline.p50Ms),
      },
    },
  };
}

/** One side's median-throughput round and its median ratios to the baseline rounds it was paired with. */
function summarizeRounds(rounds: readonly Round[], side: (round: Round) => LoadResult) {
  const ratios = (pick: (result: LoadResult) => number) =>
    rounds.map((round) =>
      pick(round.baseline) === 0 ? Number.NaN : pick(side(round)) / pick(round.baseline),
    );
  const byThroughput = rounds.map(side).sort((a, b) => a.throughputPerSec - b.throughputPerSec);
  const throughputRatios = ratios((r) => r.throughputPerSec);
  return {
    result: byThroughput[Math.floor(byThroughput.length / 2)]!,
    ratio: {
      throughput: median(throughputRatios),
      throughputRange: [Math.min(...throughputRatios), Math.max(...throughputRatios)] as const,
      p50: median(ratios((r) => r.p50Ms)),
      p99: median(ratios((r) => r.p99Ms)),
      mean: median(ratios((r) => r.meanMs)),
      rounds: rounds.length,
    },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
