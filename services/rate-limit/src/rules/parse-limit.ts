import { formatDuration, parseDuration, unitMs } from './duration';
import { algorithmNames, type AlgorithmName, type LimitRule } from './rule';
import { RulesError } from './rules-error';

/** Where a limit sits, so its derived name and error messages can say so. */
export interface LimitPlace {
  domain: string;
  descriptorPath: string;
  tier: string;
  shadowMode: boolean;
  /** e.g. "descriptors[0].rate_limits[1]". */
  field: string;
}

const limitFields = new Set([
  'unit',
  'requests_per_unit',
  'unlimited',
  'name',
  'replaces',
  'window',
  'algorithm',
  'burst',
  'deny_on_anomaly',
  'shadow_mode',
]);

/** Reads one Envoy `rate_limit:` block (with the Gatehouse extensions) into a LimitRule. */
export function parseLimit(raw: unknown, place: LimitPlace): LimitRule {
  const { field } = place;
  const block = asObject(raw, field);
  for (const key of Object.keys(block)) {
    if (!limitFields.has(key)) throw new RulesError(`${field}.${key}: unknown field`);
  }
  const unlimited = optionalBoolean(block.unlimited, `${field}.unlimited`) ?? false;
  const algorithm = (optionalString(block.algorithm, `${field}.algorithm`) ??
    'sliding_window') as AlgorithmName;
  if (!algorithmNames.includes(algorithm)) {
    throw new RulesError(`${field}.algorithm: must be one of ${algorithmNames.join(', ')}, got ${algorithm}`);
  }
  const windowMs = readWindow(block, field, unlimited);
  const requestsPerUnit = block.requests_per_unit;
  if (!unlimited && (!Number.isInteger(requestsPerUnit) || (requestsPerUnit as number) < 1)) {
    throw new RulesError(`${field}.requests_per_unit: must be an integer of at least 1`);
  }
  if (typeof requestsPerUnit === 'number' && requestsPerUnit > 1_000_000_000) {
    throw new RulesError(`${field}.requests_per_unit: must be at most 1000000000`);
  }
  const burst = block.burst ?? 0;
  if (!Number.isInteger(burst) || (burst as number) < 0) {
    throw new RulesError(`${field}.burst: must be a non-negative integer`);
  }
  if (burst !== 0 && algorithm !== 'token_bucket') {
    throw new RulesError(`${field}.burst: only token_bucket rules take a burst`);
  }
  const name = optionalString(block.name, `${field}.name`);
  const tierPart = place.tier === '' ? '' : `@${place.tier}`;
  return {
    name: name ?? `${place.descriptorPath}${tierPart}/${unlimited ? 'unlimited' : formatDuration(windowMs)}`,
    domain: place.domain,
    descriptorPath: place.descriptorPath,
    algorithm,
    requestsPerUnit: unlimited ? 0 : (requestsPerUnit as number),
    windowMs,
    burst: burst as number,
    shadowMode: optionalBoolean(block.shadow_mode, `${field}.shadow_mode`) ?? place.shadowMode,
    unlimited,
    tier: place.tier,
    replaces: readReplaces(block.replaces, `${field}.replaces`),
    denyOnAnomaly: optionalBoolean(block.deny_on_anomaly, `${field}.deny_on_anomaly`) ?? false,
  };
}

function readWindow(block: Record<string, unknown>, field: string, unlimited: boolean): number {
  if (block.window !== undefined) {
    const text = typeof block.window === 'number' ? `${block.window}ms` : block.window;
    const ms = typeof text === 'string' ? parseDuration(text) : undefined;
    if (ms === undefined) throw new RulesError(`${field}.window: must be a duration like 90s, 5m, 250ms`);
    return ms;
  }
  if (block.unit === undefined) {
    if (unlimited) return 0;
    throw new RulesError(`${field}.unit: required (${Object.keys(unitMs).join(', ')}) unless window is set`);
  }
  const unit = typeof block.unit === 'string' ? unitMs[block.unit.toLowerCase()] : undefined;
  if (unit === undefined) {
    throw new RulesError(`${field}.unit: must be one of ${Object.keys(unitMs).join(', ')}`);
  }
  return unit;
}

function readReplaces(raw: unknown, field: string): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new RulesError(`${field}: must be a list of {name: ...}`);
  return raw.map((item, index) => {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || name === '') throw new RulesError(`${field}[${index}].name: required`);
    return name;
  });
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
