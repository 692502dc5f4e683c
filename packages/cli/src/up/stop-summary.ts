import { describeExit } from './child-exit';
import type { DrainReport } from './drain-report';
import type { ServiceStop, StopReport } from './supervisor';

/** What `gatehouse up` prints once the services have stopped, and the status it exits with. */
export interface StopSummary {
  /** One line per service that stopped as asked, for stdout. */
  readonly stopped: readonly string[];
  /** What went wrong, with the last lines of the services concerned, for stderr. */
  readonly problems: readonly string[];
  /** The closing line. */
  readonly verdict: string;
  /** 0 when every service stopped cleanly; 128 + the signal's number when a second one killed some; else 1. */
  readonly exitStatus: number;
}

export interface StopSummaryOptions {
  /** The signal that insisted (came again after the window) and had the services killed. */
  insisted?: NodeJS.Signals;
  /** The number of that signal (os.constants.signals). */
  signalNumber?: number;
  elapsedMs: number;
}

/** "auth stopped (drained 3 calls in 120 ms)", "cost-budget did not stop within 15 s of SIGTERM: killed", ... */
export function summarizeStop(report: StopReport, options: StopSummaryOptions): StopSummary {
  const stopped: string[] = [];
  const problems: string[] = [];
  for (const service of report.services) {
    const line = `gatehouse up: ${describeServiceStop(service, report.graceMs)}`;
    if (service.outcome === 'stopped') {
      stopped.push(line);
      continue;
    }
    problems.push(line);
    if (service.outcome === 'failed' || service.outcome === 'overran') {
      problems.push(...lastOutput(service));
    }
  }
  const seconds = `${(options.elapsedMs / 1000).toFixed(1)} s`;
  const count = report.services.length;
  const killed = report.services.filter((service) => service.outcome === 'killed').map((s) => s.name);
  if (killed.length > 0 && options.insisted !== undefined) {
    const status = 128 + (options.signalNumber ?? 0);
    return {
      stopped,
      problems,
      verdict: `gatehouse up: killed ${killed.join(', ')} on the second ${options.insisted}; exit status ${status}`,
      exitStatus: status,
    };
  }
  if (report.clean) {
    const all = count === 1 ? 'the service' : `all ${count} services`;
    return {
      stopped,
      problems,
      verdict: `gatehouse up: ${all} stopped cleanly in ${seconds}`,
      exitStatus: 0,
    };
  }
  const unclean = report.services.filter((service) => service.outcome !== 'stopped').map((s) => s.name);
  return {
    stopped,
    problems,
    verdict: `gatehouse up: stopped in ${seconds}; not cleanly: ${unclean.join(', ')}`,
    exitStatus: 1,
  };
}

function describeServiceStop(service: ServiceStop, graceMs: number): string {
  const { name, exit } = service;
  switch (service.outcome) {
    case 'stopped':
      if (exit.signal !== null) return `${name} stopped by ${exit.signal} while it was starting`;
      return service.drain === undefined
        ? `${name} stopped`
        : `${name} stopped (${describeDrain(service.drain)})`;
    case 'failed':
      return `${name} ${describeExit(exit)} while stopping`;
    case 'overran':
      return `${name} did not stop within ${Number((graceMs / 1000).toFixed(1))} s of SIGTERM: killed`;
    case 'killed':
      return `${name} was killed before it had finished stopping`;
    case 'ended':
      if (exit.code === 0) return `${name} had already stopped, on a signal sent to it directly`;
      return `${name} had already ended: it ${describeExit(exit)}`;
  }
}

function describeDrain(drain: DrainReport): string {
  if (drain.inFlight === 0) return 'no calls in flight';
  const calls = (n: number) => (n === 1 ? '1 call' : `${n} calls`);
  if (drain.cancelled === 0) return `drained ${calls(drain.drained)} in ${drain.drainMs} ms`;
  return (
    `drained ${drain.drained} of ${calls(drain.inFlight)}; cancelled ${drain.cancelled} still running ` +
    `when SHUTDOWN_GRACE_MS ran out, after ${drain.drainMs} ms`
  );
}

function lastOutput(service: ServiceStop): string[] {
  if (service.recentLines.length === 0) return [];
  return [`  last output of ${service.name}:`, ...service.recentLines.map((line) => `    ${line}`)];
}
