import type { Clock, Logger } from '@gatehouse/runtime';
import type { ClusterSnapshot, ComponentState } from './component-state';

export interface ClusterLogOptions {
  logger: Logger;
  clock: Clock;
  /**
   * HEALTH_STARTUP_GRACE_MS: for this long after the health service starts, a component that has
   * never been SERVING is taken to be still starting, and not warned about.
   */
  startupGraceMs: number;
  /** The monitor's latest view; read when the start-up grace ends. */
  snapshot: () => ClusterSnapshot;
}

/**
 * What the health service says about the cluster in its log: one line when the cluster becomes
 * serving, a warning naming what is down otherwise. When the cluster starts together (`npm start`,
 * a fresh deployment), its peers refuse connections for the first seconds: that is no news, so a
 * component that has never served stays out of the warnings until the start-up grace is over.
 * Only the log is quiet: the cluster view reports every component as it is from the first probe.
 */
export class ClusterLog {
  private readonly startedAt: number;
  private readonly reached = new Set<string>();
  private serving = false;
  private warned = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ClusterLogOptions) {
    this.startedAt = options.clock.now();
  }

  /** Arms the end of the start-up grace, when components still silent are warned about. */
  start(): void {
    this.timer = setTimeout(() => this.record(this.options.snapshot()), this.options.startupGraceMs);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Logs what `snapshot` changed, if anything worth a line. */
  record(snapshot: ClusterSnapshot): void {
    const { logger, clock, startupGraceMs } = this.options;
    for (const component of snapshot.components) {
      // Not DEGRADED: a service that has just come up may answer gRPC before its ops port answers.
      if (component.status === 'SERVING') this.reached.add(component.name);
    }
    if (snapshot.status === 'SERVING') {
      if (!this.serving) {
        const names = snapshot.components.map((component) => component.name).join(', ');
        logger.info(`cluster serving: ${names}`);
      }
      this.serving = true;
      this.warned = '';
      return;
    }
    this.serving = false;
    const starting = clock.now() - this.startedAt < startupGraceMs;
    const waiting = (component: ComponentState) => starting && !this.reached.has(component.name);
    const down = snapshot.components.filter((c) => c.status !== 'SERVING' && !waiting(c));
    if (down.length === 0) return;
    const components = down.map((component) => `${component.name}: ${describe(component, this.reached)}`);
    const said = components.join('\n');
    if (said === this.warned) return;
    this.warned = said;
    const stillStarting = snapshot.components.filter(waiting).map((component) => component.name);
    logger.warn(
      {
        status: snapshot.status,
        components,
        ...(stillStarting.length > 0 ? { starting: stillStarting } : {}),
      },
      'cluster not fully serving',
    );
  }
}

function describe(component: ComponentState, reached: ReadonlySet<string>): string {
  if (reached.has(component.name)) return component.detail;
  return `has not served since start-up: ${component.detail}`;
}
