import { spawn as spawnProcess } from 'node:child_process';
import type { ChildExit } from './child-exit';
import { ManagedChild, type ChildSpec, type LineWriter, type SpawnFunction } from './managed-child';
import { healthCheckProbe, type ReadinessProbe } from './readiness-probe';
import { StartFailure, type FailedChild, type StartFailureReason } from './start-failure';

export interface SupervisorOptions {
  /** The services to run, in display order. */
  children: readonly ChildSpec[];
  /** Where each child's lines go (see PrefixedOutput). */
  output: { writerFor(name: string, index: number): LineWriter };
  /** How all children together may take to be ready. */
  startTimeoutMs: number;
  /** How long a child may take to stop after SIGTERM before it gets SIGKILL. */
  stopGraceMs: number;
  /** Starts processes; child_process.spawn by default. */
  spawn?: SpawnFunction;
  /** Decides that a child that announced itself is ready; grpc.health.v1 Check by default. */
  probe?: ReadinessProbe;
}

/** A child that is up: where to reach it and what it stores data in. */
export interface ReadyService {
  readonly name: string;
  readonly grpcAddress: string;
  readonly opsUrl: string;
  readonly grpcPort: number;
  readonly opsPort: number;
  readonly stores: Readonly<Record<string, string>>;
}

/** A child that ended although nobody asked it to. */
export interface UnexpectedExit {
  readonly name: string;
  readonly exit: ChildExit;
  readonly recentLines: readonly string[];
}

export interface StopReport {
  /** True when every child stopped by itself after SIGTERM (none crashed, none had to be killed). */
  readonly clean: boolean;
  /** Children that did not stop within the grace period and were killed. */
  readonly killed: readonly string[];
}

class ChildEnded extends Error {
  constructor(readonly exit: ChildExit) {
    super('child ended');
  }
}

/**
 * Runs a set of service processes as one: starts them all, waits until every one has announced
 * itself and passes its readiness probe, watches for any that dies, and stops them together.
 */
export class Supervisor {
  private readonly options: SupervisorOptions;
  private readonly probe: ReadinessProbe;
  private readonly startAbort = new AbortController();
  private readonly unexpected: UnexpectedExit[] = [];
  private readonly unexpectedListeners: ((exit: UnexpectedExit) => void)[] = [];
  private children: readonly ManagedChild[] = [];
  private stopping: Promise<StopReport> | undefined;

  constructor(options: SupervisorOptions) {
    this.options = options;
    this.probe = options.probe ?? healthCheckProbe();
  }

  /**
   * Starts every child and resolves when all are ready. On failure (a child ended, the timeout
   * passed, or stop() was called) stops the others and rejects with a StartFailure.
   */
  async start(): Promise<readonly ReadyService[]> {
    if (this.children.length > 0 || this.stopping !== undefined)
      throw new Error('Supervisor.start() called twice');
    const spawn = this.options.spawn ?? spawnProcess;
    this.children = this.options.children.map((spec, index) => {
      const child = new ManagedChild({ spec, spawn, write: this.options.output.writerFor(spec.name, index) });
      void child.exited.then((exit) => this.onExit(child, exit));
      return child;
    });
    const waiting = new Map(this.children.map((child) => [child.name, "no 'serving' line yet"]));
    const timer = setTimeout(() => this.startAbort.abort('timeout'), this.options.startTimeoutMs);
    try {
      return await Promise.all(this.children.map((child) => this.startOne(child, waiting)));
    } catch (error) {
      if (!(error instanceof ChildEnded) && !this.startAbort.signal.aborted) throw error;
      if (!this.startAbort.signal.aborted) this.startAbort.abort('exited');
      const reason = this.startAbort.signal.reason as StartFailureReason;
      // Late services are described as they were at the timeout, before their shutdown output.
      const late = reason === 'timeout' ? this.lateChildren(waiting) : [];
      await this.stop();
      // Every service that ended by itself is to blame, also those that ended while the others stopped.
      const ended = this.unexpected.map(({ name, exit, recentLines }) => ({ name, exit, recentLines }));
      const failed = reason === 'exited' ? ended : late;
      throw new StartFailure(reason, failed, this.options.startTimeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves with the first child that ends without having been asked to. */
  unexpectedExit(): Promise<UnexpectedExit> {
    const [first] = this.unexpected;
    if (first !== undefined) return Promise.resolve(first);
    return new Promise((resolve) => this.unexpectedListeners.push(resolve));
  }

  /**
   * Sends SIGTERM to every child and waits until all have ended, sending SIGKILL to those still
   * running after the grace period. Safe to call more than once.
   */
  stop(): Promise<StopReport> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** Sends SIGKILL to every child still running (a second Ctrl-C, or the supervisor is exiting). */
  kill(): void {
    for (const child of this.children) child.kill();
  }

  private async startOne(child: ManagedChild, waiting: Map<string, string>): Promise<ReadyService> {
    const { signal } = this.startAbort;
    const ended = child.exited.then((exit) => Promise.reject(new ChildEnded(exit)));
    const aborted = rejectOnAbort(signal);
    const announcement = await Promise.race([child.serving, ended, aborted]);
    const { grpcHost, opsHost, healthService } = child.spec;
    const grpcAddress = `${grpcHost}:${announcement.grpcPort}`;
    waiting.set(child.name, `no answer yet from health Check for ${healthService} at ${grpcAddress}`);
    const target = { name: child.name, grpcAddress, healthService };
    await Promise.race([
      this.probe(target, signal, (detail) => waiting.set(child.name, detail)),
      ended,
      aborted,
    ]);
    waiting.delete(child.name);
    return {
      name: child.name,
      grpcAddress,
      opsUrl: `http://${opsHost}:${announcement.opsPort}`,
      grpcPort: announcement.grpcPort,
      opsPort: announcement.opsPort,
      stores: announcement.stores,
    };
  }

  private lateChildren(waiting: ReadonlyMap<string, string>): FailedChild[] {
    return this.children
      .filter((child) => waiting.has(child.name))
      .map((child) => ({
        name: child.name,
        waitingFor: waiting.get(child.name),
        recentLines: child.recentLines(),
      }));
  }

  private onExit(child: ManagedChild, exit: ChildExit): void {
    if (child.stopRequested) return;
    const unexpected = { name: child.name, exit, recentLines: child.recentLines() };
    this.unexpected.push(unexpected);
    for (const listener of this.unexpectedListeners.splice(0)) listener(unexpected);
  }

  private async stopAll(): Promise<StopReport> {
    if (!this.startAbort.signal.aborted) this.startAbort.abort('stopped');
    for (const child of this.children) child.terminate();
    const timer = setTimeout(() => this.kill(), this.options.stopGraceMs);
    await Promise.all(this.children.map((child) => child.exited));
    clearTimeout(timer);
    const killed = this.children.filter((child) => child.killed).map((child) => child.name);
    const clean = this.children.every((child) => stoppedCleanly(child)) && this.unexpected.length === 0;
    return { clean, killed };
  }
}

/** Exit 0 after SIGTERM, or ended by the SIGTERM itself (it came before the service's handler). */
function stoppedCleanly(child: ManagedChild): boolean {
  const exit = child.exitStatus;
  if (exit === undefined || child.killed) return false;
  return exit.code === 0 || exit.signal === 'SIGTERM';
}

/** A promise that rejects with the signal's reason once it is aborted. */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
