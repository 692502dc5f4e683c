import { parseLimit } from './parse-limit';
import { asObject, checkFields, optionalBoolean, optionalString } from './read-fields';
import type { AlgorithmName, LimitRule, WildcardPattern } from './rule';
import { RulesError } from './rules-error';
import { compileWildcard, isWildcard } from './wildcard-pattern';

const nodeFields = new Set([
  'key',
  'value',
  'rate_limit',
  'rate_limits',
  'tiers',
  'shadow_mode',
  'quota_mode',
  'descriptors',
  'detailed_metric',
  'value_to_metric',
  'share_threshold',
  'metadata',
]);

/** A DescriptorLevel while it is read: the same indexes, writable. */
export interface MutableLevel {
  exact: Map<string, Map<string, MutableNode>>;
  wildcards: Map<string, MutableNode[]>;
  byKey: Map<string, MutableNode>;
}

/** A DescriptorNode while it is read, with what reading needs besides. */
interface MutableNode extends MutableLevel {
  key: string;
  value?: string;
  pattern?: WildcardPattern;
  path: string;
  limits: LimitRule[];
  tiers: Map<string, LimitRule[]>;
  shareThreshold: boolean;
  detailedMetric: boolean;
  valueToMetric: boolean;
  sharedOnPath: boolean;
  metricOnPath: boolean;
  metadata?: Record<string, unknown>;
  /** `value_to_metric` here or above (with `detailed_metric`, what makes `metricOnPath`). */
  valueToMetricOnPath: boolean;
  /** The file the node came from, to name both files of a duplicate. */
  source: string;
}

/** Where the reading is: the domain's, and the path down to the descriptors being read. */
export interface DescriptorWalk {
  readonly domain: string;
  readonly defaultAlgorithm: AlgorithmName;
  /** Every limit read so far, in file order. */
  readonly rules: LimitRule[];
  path: string;
  tier: string;
  sharedOnPath: boolean;
  valueToMetricOnPath: boolean;
  source: string;
  warnings: string[];
}

/**
 * Reads a `descriptors:` list into `parent`: each node (its key, value, flags, limits, `tiers:`)
 * and its children, refusing a repeated key/value at one level, naming the field.
 */
export function readDescriptors(
  raw: unknown,
  field: string,
  parent: MutableLevel,
  walk: DescriptorWalk,
): void {
  if (raw === null) return;
  if (!Array.isArray(raw)) throw new RulesError(`${field}: must be a list`);
  raw.forEach((item, index) => readNode(item, `${field}[${index}]`, parent, walk));
}

function readNode(raw: unknown, field: string, parent: MutableLevel, walk: DescriptorWalk): void {
  const block = asObject(raw, field);
  checkFields(block, nodeFields, field, walk.warnings);
  const key = optionalString(block.key, `${field}.key`);
  if (key === undefined || key === '') throw new RulesError(`${field}.key: required (a descriptor key)`);
  // Envoy: an empty value is no value (the node matches any value of the key).
  const value = optionalString(block.value, `${field}.value`) || undefined;
  const label = value === undefined ? key : `${key}=${value}`;
  const path = walk.path === '' ? label : `${walk.path}/${label}`;
  const existing = value === undefined ? parent.byKey.get(key) : parent.exact.get(key)?.get(value);
  if (existing !== undefined) {
    const where =
      existing.source !== walk.source && existing.source !== '' ? ` (also in ${existing.source})` : '';
    throw new RulesError(`${field}: duplicate descriptor ${path}${where}`);
  }
  const flag = (name: string) => optionalBoolean(block[name], `${field}.${name}`) ?? false;
  const wildcard = value !== undefined && isWildcard(value);
  const shareThreshold = flag('share_threshold');
  if (shareThreshold && !wildcard) {
    throw new RulesError(`${field}.share_threshold: only for a value with a * (this is ${label})`);
  }
  const valueToMetric = flag('value_to_metric');
  const detailedMetric = flag('detailed_metric');
  const sharedOnPath = walk.sharedOnPath || shareThreshold;
  const valueToMetricOnPath = walk.valueToMetricOnPath || valueToMetric;
  const metadata =
    block.metadata === undefined || block.metadata === null
      ? undefined
      : asObject(block.metadata, `${field}.metadata`);
  const node: MutableNode = {
    ...emptyLevel(),
    key,
    value,
    pattern: wildcard ? compileWildcard(value) : undefined,
    path,
    limits: [],
    tiers: new Map(),
    shareThreshold,
    detailedMetric,
    valueToMetric,
    sharedOnPath,
    metricOnPath: detailedMetric || valueToMetricOnPath,
    valueToMetricOnPath,
    metadata,
    source: walk.source,
  };
  if (value === undefined) {
    parent.byKey.set(key, node);
  } else {
    let values = parent.exact.get(key);
    if (values === undefined) parent.exact.set(key, (values = new Map()));
    values.set(value, node);
    if (wildcard) {
      const list = parent.wildcards.get(key);
      if (list === undefined) parent.wildcards.set(key, [node]);
      else list.push(node);
    }
  }

  const tier = key === 'tier' && value !== undefined && !wildcard ? value : walk.tier;
  // Envoy: shadow_mode and quota_mode are the node's own; its children do not inherit them.
  const modes = { shadowMode: flag('shadow_mode'), quotaMode: flag('quota_mode') };
  node.limits.push(...readLimits(block, field, { ...walk, path, tier }, modes));
  if (block.tiers !== undefined) {
    const tiers = asObject(block.tiers, `${field}.tiers`);
    for (const [tierName, tierBlock] of Object.entries(tiers)) {
      const tierField = `${field}.tiers.${tierName}`;
      const tierLimits = readLimits(
        asObject(tierBlock, tierField),
        tierField,
        { ...walk, path, tier: tierName },
        modes,
        new Set(['rate_limit', 'rate_limits']),
      );
      if (tierLimits.length === 0) throw new RulesError(`${tierField}: needs rate_limit or rate_limits`);
      node.tiers.set(tierName, tierLimits);
    }
  }
  const names = new Set<string>();
  for (const rule of [...node.limits, ...[...node.tiers.values()].flat()]) {
    if (names.has(rule.name)) {
      throw new RulesError(
        `${field}: rule name ${JSON.stringify(rule.name)} is used twice on this descriptor`,
      );
    }
    names.add(rule.name);
  }
  if (block.descriptors !== undefined) {
    const below: DescriptorWalk = { ...walk, path, tier, sharedOnPath, valueToMetricOnPath };
    readDescriptors(block.descriptors, `${field}.descriptors`, node, below);
  }
}

function readLimits(
  block: Record<string, unknown>,
  field: string,
  walk: DescriptorWalk,
  modes: { shadowMode: boolean; quotaMode: boolean },
  only?: ReadonlySet<string>,
): LimitRule[] {
  if (only !== undefined) checkFields(block, only, field, walk.warnings);
  if (block.rate_limit !== undefined && block.rate_limit !== null && block.rate_limits !== undefined) {
    throw new RulesError(`${field}: use rate_limit or rate_limits, not both`);
  }
  const place = {
    domain: walk.domain,
    descriptorPath: walk.path,
    tier: walk.tier,
    ...modes,
    defaultAlgorithm: walk.defaultAlgorithm,
    warnings: walk.warnings,
  };
  let limits: LimitRule[] = [];
  // Envoy: `rate_limit:` with nothing after it sets no limit.
  if (block.rate_limit !== undefined && block.rate_limit !== null) {
    limits = [parseLimit(block.rate_limit, { ...place, field: `${field}.rate_limit` })];
  } else if (block.rate_limits !== undefined) {
    if (!Array.isArray(block.rate_limits)) throw new RulesError(`${field}.rate_limits: must be a list`);
    limits = block.rate_limits.map((item, index) =>
      parseLimit(item, { ...place, field: `${field}.rate_limits[${index}]` }),
    );
  }
  walk.rules.push(...limits);
  return limits;
}

export function emptyLevel(): MutableLevel {
  return { exact: new Map(), wildcards: new Map(), byKey: new Map() };
}
