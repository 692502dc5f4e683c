import { parseLimit } from './parse-limit';
import { asObject, checkFields, optionalBoolean, optionalString } from './read-fields';
import {
  failurePolicies,
  type AlgorithmName,
  type DescriptorNode,
  type DomainRules,
  type FailurePolicy,
  type LimitRule,
  type WildcardPattern,
} from './rule';
import { RulesError } from './rules-error';
import { compileWildcard, isWildcard } from './wildcard-pattern';

const domainFields = new Set(['domain', 'descriptors', 'failure_policy']);
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

export interface DomainOptions {
  /** Algorithm of limits that name none (RATELIMIT_DEFAULT_ALGORITHM). */
  defaultAlgorithm: AlgorithmName;
}

const defaultOptions: DomainOptions = { defaultAlgorithm: 'sliding_window' };

interface MutableLevel {
  exact: Map<string, Map<string, MutableNode>>;
  wildcards: Map<string, MutableNode[]>;
  byKey: Map<string, MutableNode>;
}

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

interface Walk {
  path: string;
  tier: string;
  sharedOnPath: boolean;
  valueToMetricOnPath: boolean;
  source: string;
  warnings: string[];
}

/** The domain a rules document is for, and the document as a mapping. */
export function readDomainName(document: unknown): { top: Record<string, unknown>; domain: string } {
  const top = asObject(document, '(document)');
  const domain = optionalString(top.domain, 'domain');
  if (domain === undefined || domain === '') throw new RulesError('domain: required (a domain name)');
  return { top, domain };
}

/**
 * Builds one domain from Envoy ratelimit config documents (`domain:` + nested `descriptors:`) with
 * the Gatehouse extensions: `window`, `algorithm`, `burst`, `rate_limits:` (several limits),
 * `tiers:`, `deny_on_anomaly`, and a domain-level `failure_policy`. Several documents of one
 * domain merge as Envoy's MERGE_DOMAIN_CONFIG does: their top-level descriptors are added side by
 * side, and one that repeats a descriptor is an error naming both files.
 */
export class DomainBuilder {
  private readonly root: MutableLevel = emptyLevel();
  private readonly rules: LimitRule[] = [];
  private failurePolicy?: { policy: FailurePolicy; source: string };

  constructor(
    readonly domain: string,
    private readonly options: DomainOptions = defaultOptions,
  ) {}

  /** Adds one document (`source`: its file, for errors); throws a RulesError naming the field. */
  add(top: Record<string, unknown>, source: string, warnings: string[]): void {
    checkFields(top, domainFields, '', warnings);
    const policy = optionalString(top.failure_policy, 'failure_policy');
    if (policy !== undefined) {
      if (!(failurePolicies as readonly string[]).includes(policy)) {
        throw new RulesError(`failure_policy: must be one of ${failurePolicies.join(', ')}, got ${policy}`);
      }
      const earlier = this.failurePolicy;
      if (earlier !== undefined && earlier.policy !== policy) {
        throw new RulesError(`failure_policy: ${policy} here, but ${earlier.policy} in ${earlier.source}`);
      }
      this.failurePolicy = { policy: policy as FailurePolicy, source };
    }
    const walk: Walk = {
      path: '',
      tier: '',
      sharedOnPath: false,
      valueToMetricOnPath: false,
      source,
      warnings,
    };
    this.readChildren(top.descriptors ?? [], 'descriptors', this.root, walk);
  }

  /** The domain's rules; `warnings` gets what loads but names nothing (a `replaces` of no rule). */
  build(warnings: string[] = []): DomainRules {
    const names = new Set(this.rules.map((rule) => rule.name));
    for (const rule of this.rules) {
      for (const replaced of rule.replaces) {
        if (!names.has(replaced)) {
          warnings.push(
            `domain ${this.domain}: ${rule.name} replaces ${JSON.stringify(replaced)}, which no limit is named`,
          );
        }
      }
    }
    return {
      domain: this.domain,
      failurePolicy: this.failurePolicy?.policy,
      root: this.root,
      rules: this.rules,
    };
  }

  private readChildren(raw: unknown, field: string, parent: MutableLevel, walk: Walk): void {
    if (raw === null) return;
    if (!Array.isArray(raw)) throw new RulesError(`${field}: must be a list`);
    raw.forEach((item, index) => this.readNode(item, `${field}[${index}]`, parent, walk));
  }

  private readNode(raw: unknown, field: string, parent: MutableLevel, walk: Walk): void {
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
    node.limits.push(...this.readLimits(block, field, { ...walk, path, tier }, modes));
    if (block.tiers !== undefined) {
      const tiers = asObject(block.tiers, `${field}.tiers`);
      for (const [tierName, tierBlock] of Object.entries(tiers)) {
        const tierField = `${field}.tiers.${tierName}`;
        const tierLimits = this.readLimits(
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
      const below: Walk = { ...walk, path, tier, sharedOnPath, valueToMetricOnPath };
      this.readChildren(block.descriptors, `${field}.descriptors`, node, below);
    }
  }

  private readLimits(
    block: Record<string, unknown>,
    field: string,
    walk: Walk,
    modes: { shadowMode: boolean; quotaMode: boolean },
    only?: ReadonlySet<string>,
  ): LimitRule[] {
    if (only !== undefined) checkFields(block, only, field, walk.warnings);
    if (block.rate_limit !== undefined && block.rate_limit !== null && block.rate_limits !== undefined) {
      throw new RulesError(`${field}: use rate_limit or rate_limits, not both`);
    }
    const place = {
      domain: this.domain,
      descriptorPath: walk.path,
      tier: walk.tier,
      ...modes,
      defaultAlgorithm: this.options.defaultAlgorithm,
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
    this.rules.push(...limits);
    return limits;
  }
}

/** Reads one rules document into its domain (one document alone: no merging). */
export function parseDomain(
  document: unknown,
  options: DomainOptions = defaultOptions,
  warnings: string[] = [],
): DomainRules {
  const { top, domain } = readDomainName(document);
  const builder = new DomainBuilder(domain, options);
  builder.add(top, '', warnings);
  return builder.build(warnings);
}

function emptyLevel(): MutableLevel {
  return { exact: new Map(), wildcards: new Map(), byKey: new Map() };
}

export type { DescriptorNode };
