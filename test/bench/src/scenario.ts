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
}
