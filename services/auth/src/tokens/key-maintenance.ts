import type { Closeable, Logger } from '@gatehouse/runtime';
import type { KeyRing } from './key-ring';

/** How often a replica re-reads the keys and checks whether scheduled rotation is due. */
export const keyMaintenanceIntervalMs = 30_000;

/**
 * Keeps the key ring current: re-reads published keys (so a key added by another replica is known
 * long before it signs: the publish-ahead delay is far longer than this interval) and rotates on
 * schedule. Failures are logged and retried on the next tick.
 */
export function startKeyMaintenance(
  keyRing: KeyRing,
  logger: Logger,
  intervalMs = keyMaintenanceIntervalMs,
): Closeable {
  const timer = setInterval(() => {
    keyRing
      .rotateIfDue()
      .then(() => keyRing.reload())
      .catch((error: unknown) => logger.warn({ err: error }, 'signing key maintenance failed; will retry'));
  }, intervalMs);
  timer.unref();
  return { name: 'signing key maintenance', close: async () => clearInterval(timer) };
}
