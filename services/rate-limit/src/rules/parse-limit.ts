import { formatDuration, parseDuration, unitMs } from './duration';
import { asObject, checkFields, optionalBoolean, optionalString } from './read-fields';
import { algorithmNames, type AlgorithmName, type LimitRule } from './rule';
import { RulesError } from './rules-error';

/** Where a limit sits, so its derived name and error messages can say so. */
export interface LimitPlace {
  domain: string;
  descriptorPath: string;
  tier: string;
  /** The node's `shadow_mode` / `quota_mode` (a limit may also set its own). */
  shadowMode: boolean;
  quotaMode: boolean;
  /** Algorithm of limits that name none (RATELIMIT_DEFAULT_ALGORITHM). */
  defaultAlgorithm: AlgorithmName;
  /** e.g. "descriptors[0].rate_limits[1]". */
  field: string;
  warnings: string[];
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
  'quota_mode',
]);

/** Envoy's field is a uint32. */
const maxRequestsPerUnit = 0xffffffff;

/**
 * Reads one Envoy `rate_limit:` block (with the Gatehouse extensions) into a LimitRule, with
 * Envoy's rules: `requests_per_unit: 0` (or none) means every request is over the limit; an
 * `unlimited` limit takes no unit; `replaces` entries need a name other than the limit's own.
 */
export function parseLimit(raw: unknown, place: LimitPlace): LimitRule {
  const { field, warnings } = place;
  const block = asObject(raw, field);
  checkFields(block, limitFields, field, warnings);
  const unlimited = optionalBoolean(block.unlimited, `${field}.unlimited`) ?? false;
  const algorithm = (optionalString(block.algorithm, `${field}.algorithm`) ??
    place.defaultAlgorithm) as AlgorithmName;
  if (!algorithmNames.includes(algorithm)) {
    throw new RulesError(`${field}.algorithm: must be one of ${algorithmNames.join(', ')}, got ${algorithm}`);
  }
  const windowMs = unlimited ? unlimitedWindow(block, field, warnings) : readWindow(block, field);
  const requestsPerUnit = unlimited ? 0 : readRequestsPerUnit(block, field, warnings);
  const burst = block.burst ?? 0;
  if (!Number.isInteger(burst) || (burst as number) < 0) {
    throw new RulesError(`${field}.burst: must be a non-negative integer`);
  }
  if (burst !== 0 && algorithm !== 'token_bucket') {
    throw new RulesError(`${field}.burst: only token_bucket rules take a burst`);
  }
  const declaredName = optionalString(block.name, `${field}.name`) ?? '';
  const tierPart = place.tier === '' ? '' : `@${place.tier}`;
  const name =
    declaredName ||
    `${place.descriptorPath}${tierPart}/${unlimited ? 'unlimited' : formatDuration(windowMs)}`;
  return {
    name,
    declaredName,
    domain: place.domain,
    descriptorPath: place.descriptorPath,
    algorithm,
    requestsPerUnit,
    windowMs,
    burst: burst as number,
    shadowMode: optionalBoolean(block.shadow_mode, `${field}.shadow_mode`) ?? place.shadowMode,
    quotaMode: optionalBoolean(block.quota_mode, `${field}.quota_mode`) ?? place.quotaMode,
    unlimited,
    tier: place.tier,
    replaces: readReplaces(block.replaces, `${field}.replaces`, name, warnings),
    denyOnAnomaly: optionalBoolean(block.deny_on_anomaly, `${field}.deny_on_anomaly`) ?? false,
  };
}

function readRequestsPerUnit(block: Record<string, unknown>, field: string, warnings: string[]): number {
  const raw = block.requests_per_unit;
  if (raw === undefined) {
    warnings.push(
      `${field}.requests_per_unit: not set, so 0: every request is over this limit (as in Envoy)`,
    );
    return 0;
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > maxRequestsPerUnit) {
    throw new RulesError(`${field}.requests_per_unit: must be an integer from 0 to ${maxRequestsPerUnit}`);
  }
  return raw;
}

/** An unlimited limit counts nothing: Envoy refuses a unit with it (an invalid one it ignores). */
function unlimitedWindow(block: Record<string, unknown>, field: string, warnings: string[]): number {
  if (block.window !== undefined) throw new RulesError(`${field}.window: not with unlimited: true`);
  if (block.unit !== undefined) {
    if (unitOfBlock(block) !== undefined) {
      throw new RulesError(`${field}.unit: must not be set when unlimited is true`);
    }
    warnings.push(`${field}.unit: ignored with unlimited: true`);
  }
  if (block.requests_per_unit !== undefined) {
    warnings.push(`${field}.requests_per_unit: ignored with unlimited: true`);
  }
  return 0;
}

function readWindow(block: Record<string, unknown>, field: string): number {
  if (block.window !== undefined) {
    const text = typeof block.window === 'number' ? `${block.window}ms` : block.window;
    const ms = typeof text === 'string' ? parseDuration(text) : undefined;
    if (ms === undefined) throw new RulesError(`${field}.window: must be a duration like 90s, 5m, 250ms`);
    return ms;
  }
  if (block.unit === undefined) {
    throw new RulesError(`${field}.unit: required (${Object.keys(unitMs).join(', ')}) unless window is set`);
  }
  const unit = unitOfBlock(block);
  if (unit === undefined) {
    throw new RulesError(
      `${field}.unit: must be one of ${Object.keys(unitMs).join(', ')}, got ${JSON.stringify(block.unit)}`,
    );
  }
  return unit;
}

/** The unit's length; Envoy reads units case-insensitively. */
function unitOfBlock(block: Record<string, unknown>): number | undefined {
  return typeof block.unit === 'string' ? unitMs[block.unit.toLowerCase()] : undefined;
}

function readReplaces(raw: unknown, field: string, ownName: string, warnings: string[]): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new RulesError(`${field}: must be a list of {name: ...}`);
  return raw.map((item, index) => {
    const at = `${field}[${index}]`;
    const entry = asObject(item, at);
    checkFields(entry, replacesFields, at, warnings);
    const name = optionalString(entry.name, `${at}.name`);
    if (name === undefined || name === '')
      throw new RulesError(`${at}.name: required (an empty replaces entry)`);
    if (name === ownName)
      throw new RulesError(`${at}.name: ${JSON.stringify(name)} is this limit's own name`);
    return name;
  });
}

const replacesFields = new Set(['name']);
