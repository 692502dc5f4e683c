import { describeExit, type ChildExit } from './child-exit';

/** Why the services did not all start: one ended, the timeout passed, or a stop was requested. */
export type StartFailureReason = 'exited' | 'timeout' | 'stopped';

/** A service that is to blame for a failed start. */
export interface FailedChild {
  readonly name: string;
  /** How it ended, when it did. */
  readonly exit?: ChildExit;
  /** What it was still waiting for, when the start timed out. */
  readonly waitingFor?: string;
  readonly recentLines: readonly string[];
}

/** Thrown by Supervisor.start(); its message names each failing service, what happened and its last lines. */
export class StartFailure extends Error {
  constructor(
    readonly reason: StartFailureReason,
    readonly failed: readonly FailedChild[],
    readonly timeoutMs: number,
  ) {
    super(describeStartFailure(reason, failed, timeoutMs));
    this.name = 'StartFailure';
  }
}

function describeStartFailure(
  reason: StartFailureReason,
  failed: readonly FailedChild[],
  timeoutMs: number,
): string {
  if (reason === 'stopped') return 'start cancelled: stop requested';
  const lines: string[] = [];
  for (const child of failed) {
    const what =
      child.exit !== undefined
        ? `${child.name} ${describeExit(child.exit)} while starting`
        : `${child.name} was not ready after ${formatSeconds(timeoutMs)}: ${child.waitingFor ?? 'unknown state'}`;
    lines.push(what);
    if (child.recentLines.length > 0) {
      lines.push(`  last output of ${child.name}:`, ...child.recentLines.map((line) => `    ${line}`));
    } else {
      lines.push(`  ${child.name} wrote no output`);
    }
  }
  return lines.join('\n');
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
