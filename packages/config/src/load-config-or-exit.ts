import { ConfigError } from './config-error';

/** Exit status for a configuration error (sysexits EX_CONFIG). */
export const configErrorExitCode = 78;

/**
 * Runs a config reader at start-up; on a ConfigError prints every problem to stderr and exits
 * with status 78, so a misconfigured service never starts half-working.
 */
export function loadConfigOrExit<T>(program: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${program}: ${error.message}\n`);
      process.exit(configErrorExitCode);
    }
    throw error;
  }
}
