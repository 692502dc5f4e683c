import { asObject, optionalBoolean, optionalString, parseLimit } from './parse-limit';
import {
  failurePolicies,
  type DescriptorNode,
  type DomainRules,
  type FailurePolicy,
  type LimitRule,
} from './rule';
import { RulesError } from './rules-error';

const domainFields = new Set(['domain', 'descriptors', 'failure_policy']);
const nodeFields = new Set([
  'key',
  'value',
  'rate_limit',
  'rate_limits',
  'tiers',
  'shadow_mode',
  'descriptors',
  'detailed_metric',
  'value_to_metric',
]);

interface MutableNode {
  key: string;
  value?: string;
  limits: LimitRule[];
  tiers: Map<string, LimitRule[]>;
  exact: Map<string, MutableNode>;
  byKey: Map<string, MutableNode>;
}

/**
 * Reads one Envoy ratelimit config document (`domain:` + nested `descriptors:`) with the Gatehouse
 * extensions: `window`, `algorithm`, `burst`, `rate_limits:` (several limits), `tiers:`,
 * `deny_on_anomaly`, and a domain-level `failure_policy`. Throws a RulesError naming the field.
 */
export function parseDomain(document: unknown): DomainRules {
  const top = asObject(document, '(document)');
  for (const key of Object.keys(top)) {
    if (!domainFields.has(key)) throw new RulesError(`${key}: unknown field`);
  }
  const domain = optionalString(top.domain, 'domain');
  if (domain === undefined || domain === '') throw new RulesError('domain: required');
  const policy = optionalString(top.failure_policy, 'failure_policy');
  if (policy !== undefined && !(failurePolicies as readonly string[]).includes(policy)) {
    throw new RulesError(`failure_policy: must be one of ${failurePolicies.join(', ')}, got ${policy}`);
  }
  const rules: LimitRule[] = [];
  const root = emptyNode('');
  readChildren(top.descriptors ?? [], 'descriptors', root, {
    domain,
    path: '',
    tier: '',
    shadow: false,
    rules,
  });
  const names = new Set<string>();
  for (const rule of rules) {
    if (names.has(rule.name)) throw new RulesError(`rule name ${JSON.stringify(rule.name)} is used twice`);
    names.add(rule.name);
  }
  for (const rule of rules) {
    for (const replaced of rule.replaces) {
      if (!names.has(replaced)) {
        throw new RulesError(`${rule.name}: replaces ${JSON.stringify(replaced)}, which no rule is named`);
      }
    }
  }
  return { domain, failurePolicy: policy as FailurePolicy | undefined, root, rules };
}

interface Walk {
  domain: string;
  path: string;
  tier: string;
  shadow: boolean;
  rules: LimitRule[];
}

function readChildren(raw: unknown, field: string, parent: MutableNode, walk: Walk): void {
  if (!Array.isArray(raw)) throw new RulesError(`${field}: must be a list`);
  raw.forEach((item, index) => readNode(item, `${field}[${index}]`, parent, walk));
}

function readNode(raw: unknown, field: string, parent: MutableNode, walk: Walk): void {
  const block = asObject(raw, field);
  for (const key of Object.keys(block)) {
    if (!nodeFields.has(key)) throw new RulesError(`${field}.${key}: unknown field`);
  }
  const key = optionalString(block.key, `${field}.key`);
  if (key === undefined || key === '') throw new RulesError(`${field}.key: required`);
  const value = optionalString(block.value, `${field}.value`);
  const node = emptyNode(key, value);
  const siblings = value === undefined ? parent.byKey : parent.exact;
  const mapKey = value === undefined ? key : `${key}=${value}`;
  if (siblings.has(mapKey)) throw new RulesError(`${field}: duplicate descriptor ${mapKey}`);
  siblings.set(mapKey, node);

  const path = walk.path === '' ? mapKey : `${walk.path}/${mapKey}`;
  const tier = key === 'tier' && value !== undefined ? value : walk.tier;
  const shadow = optionalBoolean(block.shadow_mode, `${field}.shadow_mode`) ?? walk.shadow;
  const here: Walk = { ...walk, path, tier, shadow };
  node.limits.push(...readLimits(block, field, here));
  if (block.tiers !== undefined) {
    const tiers = asObject(block.tiers, `${field}.tiers`);
    for (const [tierName, tierBlock] of Object.entries(tiers)) {
      const tierField = `${field}.tiers.${tierName}`;
      const tierLimits = readLimits(asObject(tierBlock, tierField), tierField, { ...here, tier: tierName });
      if (tierLimits.length === 0) throw new RulesError(`${tierField}: needs rate_limit or rate_limits`);
      node.tiers.set(tierName, tierLimits);
    }
  }
  if (block.descriptors !== undefined) readChildren(block.descriptors, `${field}.descriptors`, node, here);
}

function readLimits(block: Record<string, unknown>, field: string, walk: Walk): LimitRule[] {
  if (block.rate_limit !== undefined && block.rate_limits !== undefined) {
    throw new RulesError(`${field}: use rate_limit or rate_limits, not both`);
  }
  const place = { domain: walk.domain, descriptorPath: walk.path, tier: walk.tier, shadowMode: walk.shadow };
  let limits: LimitRule[] = [];
  if (block.rate_limit !== undefined) {
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

function emptyNode(key: string, value?: string): MutableNode {
  return { key, value, limits: [], tiers: new Map(), exact: new Map(), byKey: new Map() };
}

export type { DescriptorNode };
