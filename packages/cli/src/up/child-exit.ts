/** How a child process ended. */
export interface ChildExit {
  /** Exit status, or null when a signal ended it or it never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why it could not be started at all (e.g. spawn ENOENT). */
  readonly spawnError?: string;
}

/** Exit status of a Gatehouse service whose configuration is invalid (sysexits EX_CONFIG). */
const configErrorExitCode = 78;

/** "exited with code 78 (invalid configuration)", "was killed by SIGKILL", ... */
export function describeExit(exit: ChildExit): string {
  if (exit.spawnError !== undefined) return `could not be started: ${exit.spawnError}`;
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  if (exit.code === configErrorExitCode) return `exited with code ${exit.code} (invalid configuration)`;
  return `exited with code ${exit.code}`;
}
