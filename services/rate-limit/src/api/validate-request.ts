import { GatehouseError } from '@gatehouse/runtime';
import type { DescriptorInput } from '../engine/decision-types';

/** Request size limits (RATELIMIT_MAX_*). */
export interface RequestLimits {
  maxDescriptors: number;
  maxEntries: number;
  maxEntryBytes: number;
}

interface RawDescriptor {
  entries: readonly { key: string; value: string }[];
  limit?: { requestsPerUnit: number; windowMs: bigint | number } | undefined;
}

const maxWindowMs = 366 * 86_400_000;

/** The domain, checked: required, at most maxEntryBytes. */
export function validateDomain(domain: string, limits: RequestLimits, field = 'domain'): string {
  if (domain === '') throw GatehouseError.invalidArgument(field, 'is required', 'MISSING_FIELD');
  checkBytes(domain, limits.maxEntryBytes, field);
  return domain;
}

/**
 * Descriptors, checked: at least one, each with 1..maxEntries entries whose keys and values fit.
 * `minOverride`: the smallest `limit.requests_per_unit` a caller may send (Envoy's API takes 0,
 * which refuses every request, as Envoy's own service does).
 */
export function validateDescriptors(
  descriptors: readonly RawDescriptor[],
  limits: RequestLimits,
  field = 'descriptors',
  minOverride = 1,
): DescriptorInput[] {
  if (descriptors.length === 0)
    throw GatehouseError.invalidArgument(field, 'at least one descriptor is required', 'MISSING_FIELD');
  if (descriptors.length > limits.maxDescriptors) {
    throw GatehouseError.invalidArgument(
      field,
      `at most ${limits.maxDescriptors} descriptors per request, got ${descriptors.length}`,
      'TOO_MANY_DESCRIPTORS',
    );
  }
  return descriptors.map((descriptor, i) =>
    validateDescriptor(descriptor, limits, `${field}[${i}]`, minOverride),
  );
}

export function validateDescriptor(
  descriptor: RawDescriptor,
  limits: RequestLimits,
  field: string,
  minOverride = 1,
): DescriptorInput {
  const { entries } = descriptor;
  if (entries.length === 0)
    throw GatehouseError.invalidArgument(
      `${field}.entries`,
      'at least one entry is required',
      'MISSING_FIELD',
    );
  if (entries.length > limits.maxEntries) {
    throw GatehouseError.invalidArgument(
      `${field}.entries`,
      `at most ${limits.maxEntries} entries per descriptor, got ${entries.length}`,
      'TOO_MANY_ENTRIES',
    );
  }
  entries.forEach((entry, j) => {
    if (entry.key === '')
      throw GatehouseError.invalidArgument(`${field}.entries[${j}].key`, 'is required', 'MISSING_FIELD');
    checkBytes(entry.key, limits.maxEntryBytes, `${field}.entries[${j}].key`);
    checkBytes(entry.value, limits.maxEntryBytes, `${field}.entries[${j}].value`);
  });
  const clean = entries.map(({ key, value }) => ({ key, value }));
  if (descriptor.limit === undefined) return { entries: clean };
  const { requestsPerUnit } = descriptor.limit;
  const windowMs = Number(descriptor.limit.windowMs);
  if (requestsPerUnit < minOverride) {
    throw GatehouseError.invalidArgument(
      `${field}.limit.requests_per_unit`,
      `must be at least ${minOverride}`,
    );
  }
  if (windowMs < 1 || windowMs > maxWindowMs) {
    throw GatehouseError.invalidArgument(`${field}.limit.window_ms`, `must be from 1 to ${maxWindowMs}`);
  }
  return { entries: clean, override: { requestsPerUnit, windowMs } };
}

/** hits: absent means 1; 0 peeks; at most 1,000,000. */
export function validateHits(hits: number | undefined, field = 'hits'): number {
  if (hits === undefined) return 1;
  if (hits > 1_000_000) throw GatehouseError.invalidArgument(field, 'must be at most 1000000');
  return hits;
}

function checkBytes(text: string, max: number, field: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > max)
    throw GatehouseError.invalidArgument(field, `must be at most ${max} bytes, got ${bytes}`, 'TOO_LONG');
}
