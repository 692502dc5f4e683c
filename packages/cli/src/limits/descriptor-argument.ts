import type { ratelimitV1 } from '@gatehouse/contracts';
import { UsageError } from '../usage-error';

/** Parses `key=value,key=value` into one rate-limit descriptor (order kept: it is the rule path). */
export function parseDescriptor(text: string): ratelimitV1.RateLimitDescriptor {
  const entries = text.split(',').map((pair) => {
    const equals = pair.indexOf('=');
    const key = equals < 0 ? '' : pair.slice(0, equals).trim();
    if (key === '') {
      throw new UsageError(`--descriptor must be key=value[,key=value…], got ${JSON.stringify(text)}`);
    }
    return { key, value: pair.slice(equals + 1).trim() };
  });
  return { entries, limit: undefined };
}

/** A descriptor as it was written: `user=42,tier=free`. */
export function formatDescriptor(descriptor: ratelimitV1.RateLimitDescriptor): string {
  return descriptor.entries.map((entry) => `${entry.key}=${entry.value}`).join(',');
}
