import type { Logger } from '../../logging/logger';
import type { StoreRefusal } from './store-refusals';

/** The one log line of a refusal cause: Redis's own reply, the operation that got it, what to do. */
export function logRefusal(logger: Logger, refusal: StoreRefusal): void {
  logger.error(
    { reason: refusal.reason, reply: refusal.reply, operation: refusal.operation, hint: refusal.hint },
    `Redis refused a command: ${refusal.reply} (${refusal.hint})`,
  );
}
