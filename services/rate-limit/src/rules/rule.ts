/** How a limit counts requests. */
export type AlgorithmName = 'sliding_window' | 'token_bucket' | 'fixed_window' | 'concurrency';

export const algorithmNames: readonly AlgorithmName[] = [
  'sliding_window',
  'token_bucket',
  'fixed_window',
  'concurrency',
];

/** What the store does when it cannot answer: admit, deny, or decide with an in-process limiter. */
export type FailurePolicy = 'fail_open' | 'fail_closed' | 'local';

export const failurePolicies: readonly FailurePolicy[] = ['fail_open', 'fail_closed', 'local'];

/** One limit, as loaded from the rules file. A descriptor node may carry several. */
export interface LimitRule {
  /** From `name:` or derived, e.g. "user@free/1m"; unique among the limits of one descriptor node. */
  readonly name: string;
  /** The `name:` the file gave, '' when derived (Envoy answers `current_limit.name` with this). */
  readonly declaredName: string;
  readonly domain: string;
  /** The descriptor path selecting it, e.g. "tier=free/user". */
  readonly descriptorPath: string;
  readonly algorithm: AlgorithmName;
  /** Requests per window; for concurrency rules, requests in flight. 0 (not unlimited): every request is over. */
  readonly requestsPerUnit: number;
  /** Window length; for concurrency rules, the lease TTL. */
  readonly windowMs: number;
  /** Token bucket only: capacity beyond requestsPerUnit. */
  readonly burst: number;
  readonly shadowMode: boolean;
  /**
   * Envoy `quota_mode`: over its limit, the rule marks its descriptor over but denies the request
   * only when every quota-mode limit of the request is over (or a normal limit denies).
   */
  readonly quotaMode: boolean;
  readonly unlimited: boolean;
  /** Tier the rule applies to; empty for every tier. */
  readonly tier: string;
  /** Names of rules this one switches off when both match in one request (Envoy `replaces`). */
  readonly replaces: readonly string[];
  /** Deny when the key's anomaly score reaches the threshold. */
  readonly denyOnAnomaly: boolean;
}

/** The children of a descriptor node (or of a domain's root), indexed for Envoy's matching order. */
export interface DescriptorLevel {
  /** Children with an exact `value`, by key then value (wildcard nodes too, under their pattern). */
  readonly exact: ReadonlyMap<string, ReadonlyMap<string, DescriptorNode>>;
  /** Children with a `*` in their value, by key, in file order: consulted only when no exact value matches. */
  readonly wildcards: ReadonlyMap<string, readonly DescriptorNode[]>;
  /** Children without a value (any value of the key). */
  readonly byKey: ReadonlyMap<string, DescriptorNode>;
}

/** One node of a domain's descriptor tree (Envoy's `descriptors:` entries). */
export interface DescriptorNode extends DescriptorLevel {
  readonly key: string;
  /** Absent: the node matches any value of `key`. With a `*`: a wildcard pattern. */
  readonly value?: string;
  /** Set when `value` has a `*`: what the value matches. */
  readonly pattern?: WildcardPattern;
  /** The path from the root, e.g. "tier=gold/user", as rule names and logs show it. */
  readonly path: string;
  /** Limits applied when a descriptor ends at this node; empty when none. */
  readonly limits: readonly LimitRule[];
  /** Tier-specific limits (the `tiers:` map), chosen by the descriptor's `tier` entry. */
  readonly tiers: ReadonlyMap<string, readonly LimitRule[]>;
  /** Envoy `share_threshold` (wildcards only): every value this node matches shares one counter. */
  readonly shareThreshold: boolean;
  /** Envoy `detailed_metric`: the decision metric of this node's limits names every request value. */
  readonly detailedMetric: boolean;
  /** Envoy `value_to_metric`: the decision metric names the request's value for this entry. */
  readonly valueToMetric: boolean;
  /** A shared wildcard is on the path to this node (counters use the pattern for those entries). */
  readonly sharedOnPath: boolean;
  /** `detailed_metric` here, or `value_to_metric` on the path: decisions get a per-descriptor metric. */
  readonly metricOnPath: boolean;
  /** Envoy `metadata`: accepted and kept as given (Gatehouse sends no dynamic metadata). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A compiled `*` pattern: each `*` matches any run of characters, including an empty one. */
export interface WildcardPattern {
  readonly source: string;
  matches(value: string): boolean;
}

/** Every rule of one domain. */
export interface DomainRules {
  readonly domain: string;
  readonly failurePolicy?: FailurePolicy;
  /** Top-level descriptor nodes. */
  readonly root: DescriptorLevel;
  readonly rules: readonly LimitRule[];
}

/** A loaded configuration: all domains, with the content hash and load time. */
export interface RuleSet {
  readonly domains: ReadonlyMap<string, DomainRules>;
  /** Content hash of the files it came from. */
  readonly version: string;
  readonly loadedAt: Date;
  /** Files read, for logs. */
  readonly sources: readonly string[];
  /** What loaded but deserves a look (Envoy keys it ignores, replaces naming no rule), naming file and field. */
  readonly warnings: readonly string[];
}
