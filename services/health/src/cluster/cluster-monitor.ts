import type { Clock } from '@gatehouse/runtime';
import type { ProbeResult, Target } from '../targets/target';
import { overallStatus, type ClusterSnapshot, type ComponentState } from './component-state';

export interface ClusterMonitorOptions {
  targets: readonly Target[];
  clock: Clock;
  intervalMs: number;
  probeTimeoutMs: number;
}

type Listener = (snapshot: ClusterSnapshot) => void;

/**
 * Probes every target on an interval and keeps the latest view of the cluster. Listeners hear of
 * each round that changed any component's status or detail.
 */
export class ClusterMonitor {
  private components: ComponentState[];
  private checkedAt = 0;
  private timer?: NodeJS.Timeout;
  private readonly listeners = new Set<Listener>();
  private readonly ending = new AbortController();

  /** Aborted when watchers must end (the service is draining). */
  readonly watchesEnded: AbortSignal = this.ending.signal;

  constructor(private readonly options: ClusterMonitorOptions) {
    const now = options.clock.now();
    this.components = options.targets.map((target) => ({
      name: target.name,
      kind: target.kind,
      critical: target.critical,
      status: 'NOT_SERVING',
      latencyMs: 0,
      detail: 'not probed yet',
      checkedAt: 0,
      since: now,
    }));
  }

  snapshot(): ClusterSnapshot {
    return { status: overallStatus(this.components), components: this.components, checkedAt: this.checkedAt };
  }

  /** Calls `listener` after every round that changed something; returns the function that stops it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Probes every target once, now. */
  async poll(): Promise<ClusterSnapshot> {
    const { targets, clock, probeTimeoutMs } = this.options;
    const results = await Promise.all(targets.map((target) => this.probe(target, probeTimeoutMs)));
    const now = clock.now();
    let changed = false;
    this.components = this.components.map((previous, index) => {
      const { result, latencyMs } = results[index]!;
      const moved = result.status !== previous.status;
      changed ||= moved || result.detail !== previous.detail;
      return { ...previous, ...result, latencyMs, checkedAt: now, since: moved ? now : previous.since };
    });
    this.checkedAt = now;
    const snapshot = this.snapshot();
    if (changed) for (const listener of this.listeners) listener(snapshot);
    return snapshot;
  }

  /** First round now, then every intervalMs. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Ends every watch stream; polling goes on until stop(). */
  endWatches(): void {
    this.ending.abort();
  }

  async stop(): Promise<void> {
    this.endWatches();
    clearInterval(this.timer);
    this.listeners.clear();
    await Promise.all(this.options.targets.map((target) => target.close()));
  }

  private async probe(
    target: Target,
    timeoutMs: number,
  ): Promise<{ result: ProbeResult; latencyMs: number }> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 'NOT_SERVING', detail: `no answer within ${timeoutMs} ms` }),
        timeoutMs,
      );
    });
    const result = await Promise.race([
      target
        .probe(timeoutMs)
        .catch((error: unknown): ProbeResult => ({ status: 'NOT_SERVING', detail: String(error) })),
      timeout,
    ]);
    clearTimeout(timer);
    return { result, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  }
}
