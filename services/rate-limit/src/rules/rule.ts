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
  /** Unique within the domain: from `name:` or derived, e.g. "user@free/1m". */
  readonly name: string;
  readonly domain: string;
  /** The descriptor path selecting it, e.g. "tier=free/user". */
  readonly descriptorPath: string;
  readonly algorithm: AlgorithmName;
  /** Requests per window; for concurrency rules, requests in flight. */
  readonly requestsPerUnit: number;
  /** Window length; for concurrency rules, the lease TTL. */
  readonly windowMs: number;
  /** Token bucket only: capacity beyond requestsPerUnit. */
  readonly burst: number;
  readonly shadowMode: boolean;
  readonly unlimited: boolean;
  /** Tier the rule applies to; empty for every tier. */
  readonly tier: string;
  /** Names of rules this one switches off when both match in one request (Envoy `replaces`). */
  readonly replaces: readonly string[];
  /** Deny when the key's anomaly score reaches the threshold. */
  readonly denyOnAnomaly: boolean;
}

/** One node of a domain's descriptor tree (Envoy's `descriptors:` entries). */
export interface DescriptorNode {
  readonly key: string;
  /** Absent: the node matches any value of `key`. */
  readonly value?: string;
  /** Limits applied when a descriptor ends at this node; empty when none. */
  readonly limits: readonly LimitRule[];
  /** Tier-specific limits (the `tiers:` map), chosen by the descriptor's `tier` entry. */
  readonly tiers: ReadonlyMap<string, readonly LimitRule[]>;
  /** Children by `key=value` (exact) and by `key` (any value). */
  readonly exact: ReadonlyMap<string, DescriptorNode>;
  readonly byKey: ReadonlyMap<string, DescriptorNode>;
}

/** Every rule of one domain. */
export interface DomainRules {
  readonly domain: string;
  readonly failurePolicy?: FailurePolicy;
  /** Top-level descriptor nodes. */
  readonly root: Pick<DescriptorNode, 'exact' | 'byKey'>;
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
}
