import { spawn as spawnProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { stopSignalWindowMs } from '@gatehouse/runtime/stop-signals';
import type { ChildExit } from './child-exit';
import type { DrainReport } from './drain-report';
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
  /**
   * How long a child that stopped on a signal of its own (exit 0) may precede the supervisor's own
   * stop before it counts as ended unexpectedly; default stopSignalWindowMs. Under systemd's default
   * KillMode every process of the unit gets the SIGTERM, the services a moment before this one.
   */
  signalWindowMs?: number;
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

/**
 * How one child ended: `stopped` by itself on its stop signal; `failed` with a non-zero status while
 * stopping; `overran` the grace period and was killed; `killed` at once (a second Ctrl-C); `ended`
 * by itself before anyone asked (see unexpectedExit).
 */
export type StopOutcome = 'stopped' | 'failed' | 'overran' | 'killed' | 'ended';

export interface ServiceStop {
  readonly name: string;
  readonly outcome: StopOutcome;
  readonly exit: ChildExit;
  /** What the service said of its drain in its `stopped` line, when it wrote one. */
  readonly drain?: DrainReport;
  readonly recentLines: readonly string[];
}

export interface StopReport {
  /** True when every child stopped by itself on its stop signal (none failed, ended early or was killed). */
  readonly clean: boolean;
  /** Every child, in display order. */
  readonly services: readonly ServiceStop[];
  /** How long a child may take to stop before it is killed (SupervisorOptions.stopGraceMs). */
  readonly graceMs: number;
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
  /** Per child: resolves with its exit once that exit counts as unexpected; never otherwise. */
  private readonly unasked = new Map<ManagedChild, Promise<ChildExit>>();
  private stopping: Promise<StopReport> | undefined;
  private graceOver = false;

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
      this.unasked.set(child, this.watchExit(child));
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
    const ended = this.unasked.get(child)!.then((exit) => Promise.reject(new ChildEnded(exit)));
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

  /**
   * Resolves with the child's exit once it counts as unexpected: at once for a crash, after the
   * signal window for a child that stopped on a signal of its own, in case the supervisor's stop
   * is on its way (the same Ctrl-C or SIGTERM). Never resolves when the stop was requested.
   */
  private async watchExit(child: ManagedChild): Promise<ChildExit> {
    const exit = await child.exited;
    if (!child.stopRequested && endedOnStopSignal(exit)) {
      await delay(this.options.signalWindowMs ?? stopSignalWindowMs);
    }
    if (child.stopRequested) return new Promise<never>(() => undefined);
    const unexpected = { name: child.name, exit, recentLines: child.recentLines() };
    this.unexpected.push(unexpected);
    for (const listener of this.unexpectedListeners.splice(0)) listener(unexpected);
    return exit;
  }

  private async stopAll(): Promise<StopReport> {
    if (!this.startAbort.signal.aborted) this.startAbort.abort('stopped');
    const early = new Set(this.unexpected.map((exit) => exit.name));
    for (const child of this.children) child.terminate();
    const timer = setTimeout(() => {
      this.graceOver = true;
      this.kill();
    }, this.options.stopGraceMs);
    await Promise.all(this.children.map((child) => child.exited));
    clearTimeout(timer);
    const services = this.children.map((child): ServiceStop => {
      const exit = child.exitStatus!;
      return {
        name: child.name,
        outcome: early.has(child.name) ? 'ended' : this.outcomeOf(child, exit),
        exit,
        ...(child.drainReport === undefined ? {} : { drain: child.drainReport }),
        recentLines: child.recentLines(),
      };
    });
    const clean = services.every((service) => service.outcome === 'stopped');
    return { clean, services, graceMs: this.options.stopGraceMs };
  }

  private outcomeOf(child: ManagedChild, exit: ChildExit): StopOutcome {
    if (child.killed) return this.graceOver ? 'overran' : 'killed';
    return endedOnStopSignal(exit) ? 'stopped' : 'failed';
  }
}

/**
 * A Gatehouse service exits 0 only after a stop signal; one that got the signal before it set up
 * its handler (still starting) is ended by the signal itself.
 */
function endedOnStopSignal(exit: ChildExit): boolean {
  return exit.code === 0 || exit.signal === 'SIGTERM' || exit.signal === 'SIGINT';
}

/** A promise that rejects with the signal's reason once it is aborted. */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
