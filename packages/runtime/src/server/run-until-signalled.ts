import type { Logger } from '../logging/logger';

export interface Stoppable {
  shutdown(): Promise<void>;
}

/**
 * Keeps a service process running until SIGTERM or SIGINT, then stops each part in order and
 * exits 0. A second signal while stopping exits at once with status 1.
 */
export function runUntilSignalled(parts: readonly Stoppable[], logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without finishing the drain');
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'signal received');
    void (async () => {
      let code = 0;
      for (const part of parts) {
        await part.shutdown().catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown step failed');
          code = 1;
        });
      }
      logger.flush(() => process.exit(code));
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
