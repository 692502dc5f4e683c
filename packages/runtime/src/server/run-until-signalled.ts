import type { Logger } from '../logging/logger';
import { stopSignalListener, stopSignalWindowMs } from './stop-signals';

export interface Stoppable {
  shutdown(): Promise<void>;
}

/**
 * Keeps a service process running until SIGTERM or SIGINT, then stops each part in order and
 * exits 0. Copies of the signal within stopSignalWindowMs (a terminal and `gatehouse up` both
 * signalling it) are the same stop; a signal after that exits at once with status 1.
 */
export function runUntilSignalled(parts: readonly Stoppable[], logger: Logger): void {
  const listener = stopSignalListener({
    onStop: (signal) => {
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
    },
    onRepeat: (signal) =>
      logger.debug({ signal }, `${signal} again within ${stopSignalWindowMs} ms: the same stop`),
    onInsist: (signal) => {
      logger.warn({ signal }, `${signal} again: exiting without finishing the drain`);
      logger.flush();
      process.exit(1);
    },
  });
  process.on('SIGTERM', listener);
  process.on('SIGINT', listener);
}
