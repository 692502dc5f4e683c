import { emptyLevel, readDescriptors, type MutableLevel } from './read-descriptors';
import { asObject, checkFields, optionalString } from './read-fields';
import {
  failurePolicies,
  type AlgorithmName,
  type DescriptorNode,
  type DomainRules,
  type FailurePolicy,
  type LimitRule,
} from './rule';
import { RulesError } from './rules-error';

const domainFields = new Set(['domain', 'descriptors', 'failure_policy']);

export interface DomainOptions {
  /** Algorithm of limits that name none (RATELIMIT_DEFAULT_ALGORITHM). */
  defaultAlgorithm: AlgorithmName;
}

const defaultOptions: DomainOptions = { defaultAlgorithm: 'sliding_window' };

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
    readDescriptors(top.descriptors ?? [], 'descriptors', this.root, {
      domain: this.domain,
      defaultAlgorithm: this.options.defaultAlgorithm,
      rules: this.rules,
      path: '',
      tier: '',
      sharedOnPath: false,
      valueToMetricOnPath: false,
      source,
      warnings,
    });
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

export type { DescriptorNode };
