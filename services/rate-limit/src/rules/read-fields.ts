import { RulesError } from './rules-error';

/**
 * Every key envoyproxy/ratelimit knows. Envoy checks keys against this one flat set, wherever they
 * stand, and ignores a known key in the wrong place; so a Gatehouse block accepts those with a
 * warning rather than refusing a file Envoy loads.
 */
const envoyKeys = new Set([
  'domain',
  'key',
  'value',
  'descriptors',
  'rate_limit',
  'unit',
  'requests_per_unit',
  'unlimited',
  'shadow_mode',
  'quota_mode',
  'name',
  'replaces',
  'detailed_metric',
  'value_to_metric',
  'share_threshold',
  'metadata',
]);

/** Refuses keys neither Gatehouse nor Envoy knows; warns about Envoy keys out of place (Envoy ignores them). */
export function checkFields(
  block: Record<string, unknown>,
  known: ReadonlySet<string>,
  field: string,
  warnings: string[],
): void {
  for (const key of Object.keys(block)) {
    if (known.has(key)) continue;
    const at = field === '' ? key : `${field}.${key}`;
    if (!envoyKeys.has(key)) throw new RulesError(`${at}: unknown field`);
    warnings.push(`${at}: ignored (not a field of this block)`);
  }
}

export function asObject(raw: unknown, field: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RulesError(`${field}: must be a mapping`);
  }
  return raw as Record<string, unknown>;
}

export function optionalString(raw: unknown, field: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new RulesError(`${field}: must be a string`);
}

export function optionalBoolean(raw: unknown, field: string): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'boolean') throw new RulesError(`${field}: must be true or false`);
  return raw;
}
