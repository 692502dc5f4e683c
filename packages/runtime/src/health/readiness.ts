import type { Clock } from '../clock';

/** A dependency the service needs to do its work (a database, a cache, a peer service). */
export interface ReadinessCheck {
  /** Shown on /readyz, e.g. "postgres". */
  name: string;
  /** Resolves when the dependency answers; rejects with what went wrong. */
  check: () => Promise<void>;
  /** How long a check may take before it counts as failed; default 1000 ms. */
  timeoutMs?: number;
  /**
   * Default true: a failure makes the service not ready. False for a dependency the service can
   * answer without (e.g. a store behind a fail-open policy): a failure only marks it degraded.
   */
  critical?: boolean;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  critical: boolean;
  latencyMs: number;
  detail: string;
  checkedAt: number;
}

export interface ReadinessSnapshot {
  /** Every critical check passes (and the service is not stopping). */
  ready: boolean;
  /** Ready, but a non-critical check fails: answering with reduced guarantees. */
  degraded: boolean;
  checks: CheckResult[];
}

export interface ReadinessOptions {
  checks: readonly ReadinessCheck[];
  clock: Clock;
  /** How often checks run in the background; results are cached in between. Default 5000 ms. */
  intervalMs?: number;
  /** Called after each round whose readiness or degradation differs from the previous one. */
  onChange?: (snapshot: ReadinessSnapshot) => void;
}

/**
 * Runs the dependency checks on an interval and caches the results, so /readyz and the gRPC health
 * status answer instantly and a probe storm never becomes a database storm.
 */
export class Readiness {
  private snapshot: ReadinessSnapshot = { ready: false, degraded: false, checks: [] };
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: ReadinessOptions) {}

  current(): ReadinessSnapshot {
    return this.snapshot;
  }

  /** Runs every check now, updates the cached snapshot and returns it. */
  async refresh(): Promise<ReadinessSnapshot> {
    const checks = await Promise.all(this.options.checks.map((check) => this.run(check)));
    const ready = !this.stopped && checks.every((c) => c.ok || !c.critical);
    const next = { ready, degraded: ready && checks.some((c) => !c.ok), checks };
    const changed = next.ready !== this.snapshot.ready || next.degraded !== this.snapshot.degraded;
    this.snapshot = next;
    if (changed) this.options.onChange?.(next);
    return next;
  }

  /** First round now, then every intervalMs. */
  async start(): Promise<ReadinessSnapshot> {
    const first = await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? 5000);
    this.timer.unref();
    return first;
  }

  /** Stops polling and reports not ready from now on (shutdown; the caller updates health itself). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.snapshot = { ...this.snapshot, ready: false };
  }

  private async run(check: ReadinessCheck): Promise<CheckResult> {
    const started = this.options.clock.now();
    const timeoutMs = check.timeoutMs ?? 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check.check(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return this.result(check, true, 'ok', started);
    } catch (error) {
      return this.result(check, false, error instanceof Error ? error.message : String(error), started);
    } finally {
      clearTimeout(timer);
    }
  }

  private result(check: ReadinessCheck, ok: boolean, detail: string, started: number): CheckResult {
    const checkedAt = this.options.clock.now();
    const critical = check.critical ?? true;
    return { name: check.name, ok, critical, latencyMs: checkedAt - started, detail, checkedAt };
  }
}
