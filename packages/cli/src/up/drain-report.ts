import type { LogRecord } from './log-record';

/** What a service says in its last `stopped` line: how its drain went. */
export interface DrainReport {
  /** Calls in flight when the drain began. */
  readonly inFlight: number;
  /** Of those, how many finished within SHUTDOWN_GRACE_MS. */
  readonly drained: number;
  /** Of those, how many were still running at the end of the grace period and were cancelled. */
  readonly cancelled: number;
  readonly drainMs: number;
}

/** The drain report in `record`, or undefined when it is any other line. */
export function readDrainReport(record: LogRecord): DrainReport | undefined {
  if (record.msg !== 'stopped') return undefined;
  const { in_flight: inFlight, drained, cancelled, drain_ms: drainMs } = record.fields;
  if (!isCount(inFlight) || !isCount(drained) || !isCount(cancelled) || !isCount(drainMs)) return undefined;
  return { inFlight, drained, cancelled, drainMs };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
