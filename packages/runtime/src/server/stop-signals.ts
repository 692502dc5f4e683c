import { systemClock, type Clock } from '../clock';

/**
 * Stop signals that arrive within this long of the first one are the same request to stop. One
 * Ctrl-C reaches every process of the terminal's foreground group at once, and `npm start` forwards
 * its own copy to its child a moment later; systemd's default KillMode signals every process of
 * the unit, and `gatehouse up` then signals its services too. Only a signal after the window is a
 * second, deliberate request.
 */
export const stopSignalWindowMs = 1000;

export interface StopSignalsOptions {
  /** The first signal: stop gracefully. */
  onStop: (signal: NodeJS.Signals) => void;
  /** A signal later than the window after the first: stop at once. */
  onInsist: (signal: NodeJS.Signals) => void;
  /** Copies within the window after the first; ignored when absent. */
  onRepeat?: (signal: NodeJS.Signals) => void;
  /** Default stopSignalWindowMs. */
  windowMs?: number;
  clock?: Clock;
}

/** A listener for SIGINT / SIGTERM that tells one stop request from the copies of the same one. */
export function stopSignalListener(options: StopSignalsOptions): (signal: NodeJS.Signals) => void {
  const clock = options.clock ?? systemClock;
  const windowMs = options.windowMs ?? stopSignalWindowMs;
  let firstAt: number | undefined;
  return (signal) => {
    const now = clock.now();
    if (firstAt === undefined) {
      firstAt = now;
      options.onStop(signal);
    } else if (now - firstAt < windowMs) {
      options.onRepeat?.(signal);
    } else {
      options.onInsist(signal);
    }
  };
}
