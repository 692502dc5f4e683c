/** A running scenario: the one operation to measure, and how to clean up after it. */
export interface ScenarioInstance {
  /** One operation (e.g. one unary call); rejects when it fails. */
  call(): Promise<void>;
  teardown(): Promise<void>;
}

/** One thing to benchmark. Add a file under scenarios/ and list it in scenarios/all-scenarios.ts. */
export interface Scenario {
  /** Short unique name, used by BENCH_ONLY and in the report. */
  readonly name: string;
  /** One line saying what a call does. */
  readonly summary: string;
  /** Concurrency levels to measure at; each is compared to the baseline at the same level. */
  readonly concurrencies: readonly number[];
  /** Starts servers, clients, ... (not timed). */
  setup(): Promise<ScenarioInstance>;
  /**
   * The same operation without the feature under test (e.g. the same server without its
   * interceptors). When set, each round measures it too, next to the baseline and the scenario,
   * and the report gives the scenario against it besides the usual ratios to the baseline.
   */
  readonly reference?: ScenarioReference;
}

export interface ScenarioReference {
  /** Its row's name in the report. */
  readonly name: string;
  readonly summary: string;
  setup(): Promise<ScenarioInstance>;
  /** What the scenario should achieve against the reference, per concurrency (shown, never enforced). */
  readonly targets?: readonly ReferenceTarget[];
}

export interface ReferenceTarget {
  readonly concurrency: number;
  /** Lowest acceptable scenario throughput / reference throughput. */
  readonly minThroughputRatio?: number;
  /** Highest acceptable (scenario p50 - reference p50) / baseline p50: added latency in baseline round trips. */
  readonly maxAddedP50RoundTrips?: number;
}
