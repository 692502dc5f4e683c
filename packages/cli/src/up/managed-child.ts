import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ChildExit } from './child-exit';
import { readDrainReport, type DrainReport } from './drain-report';
import { parseLogRecord } from './log-record';
import { RecentLines } from './recent-lines';
import { readServingAnnouncement, type ServingAnnouncement } from './serving-announcement';

/** Starts a process; `child_process.spawn` in production. */
export type SpawnFunction = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

/** How to start one service and how to reach it. */
export interface ChildSpec {
  /** Short name, shown as its output prefix. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Fully-qualified gRPC service whose grpc.health.v1 status must be SERVING. */
  readonly healthService: string;
  /** Host its gRPC port is reached on, e.g. 127.0.0.1. */
  readonly grpcHost: string;
  /** Host its ops (HTTP) port is reached on. */
  readonly opsHost: string;
}

export type OutputStreamName = 'stdout' | 'stderr';

/** Shows one line a child wrote; returns it as displayed (without prefix), for the recent-lines buffer. */
export type LineWriter = (stream: OutputStreamName, line: string) => readonly string[];

export interface ManagedChildOptions {
  spec: ChildSpec;
  spawn: SpawnFunction;
  write: LineWriter;
  /** How many recent lines to keep for error reports; default 8. */
  recentLineCount?: number;
}

/**
 * One service process under supervision: its output shown line by line, its `serving` and
 * `stopped` lines recognised, its last lines kept, and its end observed. Runs in its own session
 * (so in its own process group, without the terminal) so that Ctrl-C in a terminal reaches only
 * npm and the supervisor, which then stops it with one SIGTERM.
 */
export class ManagedChild {
  readonly spec: ChildSpec;
  /** Resolves when the child announces it is serving; never rejects. */
  readonly serving: Promise<ServingAnnouncement>;
  /** Resolves when the process has ended and its output has been read; never rejects. */
  readonly exited: Promise<ChildExit>;
  private readonly recent: RecentLines;
  private readonly process: ChildProcess;
  private exit: ChildExit | undefined;
  private drain: DrainReport | undefined;
  private stopRequestedFlag = false;
  private killedFlag = false;

  constructor(options: ManagedChildOptions) {
    this.spec = options.spec;
    this.recent = new RecentLines(options.recentLineCount ?? 8);
    let announce: (announcement: ServingAnnouncement) => void = () => undefined;
    this.serving = new Promise((resolve) => (announce = resolve));
    const { spec } = options;
    this.process = options.spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const follow = (stream: OutputStreamName, readable: Readable | null) => {
      if (readable === null) return;
      createInterface({ input: readable, crlfDelay: Infinity }).on('line', (line) => {
        for (const shown of options.write(stream, line)) this.recent.add(shown);
        const record = parseLogRecord(line);
        if (record === undefined) return;
        const announcement = readServingAnnouncement(record);
        if (announcement !== undefined) announce(announcement);
        this.drain = readDrainReport(record) ?? this.drain;
      });
    };
    follow('stdout', this.process.stdout);
    follow('stderr', this.process.stderr);
    this.exited = new Promise((resolve) => {
      const settle = (exit: ChildExit) => {
        if (this.exit !== undefined) return;
        this.exit = exit;
        resolve(exit);
      };
      this.process.once('close', (code, signal) => settle({ code, signal }));
      this.process.once('error', (error) => {
        if (this.process.pid === undefined) settle({ code: null, signal: null, spawnError: error.message });
      });
    });
  }

  get name(): string {
    return this.spec.name;
  }

  /** The exit, once the process has ended. */
  get exitStatus(): ChildExit | undefined {
    return this.exit;
  }

  /** What its `stopped` line said of its drain, once it wrote one. */
  get drainReport(): DrainReport | undefined {
    return this.drain;
  }

  /** True once the supervisor asked it to stop: its exit is then expected. */
  get stopRequested(): boolean {
    return this.stopRequestedFlag;
  }

  /** True when it was still running when the supervisor sent SIGKILL. */
  get killed(): boolean {
    return this.killedFlag;
  }

  recentLines(): readonly string[] {
    return this.recent.all();
  }

  /** Asks the process to stop gracefully (SIGTERM). */
  terminate(): void {
    this.stopRequestedFlag = true;
    if (this.exit === undefined) this.process.kill('SIGTERM');
  }

  /** Ends the process at once (SIGKILL). */
  kill(): void {
    this.stopRequestedFlag = true;
    if (this.exit === undefined) {
      this.killedFlag = true;
      this.process.kill('SIGKILL');
    }
  }
}
