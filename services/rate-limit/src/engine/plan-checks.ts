import { randomBytes } from 'node:crypto';
import { formatDuration } from '../rules/duration';
import { matchDescriptor, type Entry } from '../rules/match-descriptor';
import type { DomainRules, LimitRule } from '../rules/rule';
import type { StoreCheck } from '../store/limit-store';
import type { DescriptorInput } from './decision-types';

/** One limit a descriptor is held to, with the counter that enforces it. */
export interface PlannedLimit {
  readonly rule: LimitRule;
  /** Undefined for unlimited, replaced or banned rules: nothing to count. */
  readonly check?: StoreCheck;
  /** `requests_per_unit: 0`: every request is over, without asking the store. */
  readonly banned?: boolean;
}

export interface PlannedDescriptor {
  /** Empty when no rule matched. */
  readonly limits: readonly PlannedLimit[];
  /** Envoy's stats key, when the matched rules ask for a per-descriptor metric. */
  readonly metricKey?: string;
}

/**
 * Matches every descriptor to its rules (most specific wins), applies Envoy's `replaces`
 * across the request, and names each counter (see counterKey). A domain without rules limits
 * nothing, whatever the descriptors ask (as in Envoy, a `limit` override included).
 */
export function planChecks(
  domainName: string,
  domain: DomainRules | undefined,
  descriptors: readonly DescriptorInput[],
  leases: boolean,
): PlannedDescriptor[] {
  if (domain === undefined) return descriptors.map(() => unmatched);
  const matched = descriptors.map((descriptor) => limitsOf(domainName, domain, descriptor));
  const replaced = new Set(matched.flatMap((match) => match.limits.flatMap((rule) => rule.replaces)));
  return matched.map((match, index) => ({
    metricKey: match.metricKey,
    limits: match.limits.map((rule): PlannedLimit => {
      if (rule.unlimited || replaced.has(rule.name)) return { rule };
      if (rule.requestsPerUnit === 0) return { rule, banned: true };
      const entries = match.counterEntries ?? descriptors[index]?.entries ?? [];
      const ownHits = descriptors[index]?.hits;
      const check: StoreCheck = {
        key: counterKey(domainName, rule.name, entries),
        spec: {
          algorithm: rule.algorithm,
          limit: rule.requestsPerUnit,
          windowMs: rule.windowMs,
          burst: rule.burst,
        },
        // A quota-mode limit never blocks the store's all-or-nothing: the engine decides with it.
        shadow: rule.shadowMode || rule.quotaMode,
        leaseId:
          leases && rule.algorithm === 'concurrency' ? randomBytes(9).toString('base64url') : undefined,
        demand: ownHits === undefined ? undefined : { hits: Math.max(1, ownHits), consume: ownHits > 0 },
      };
      return { rule, check };
    }),
  }));
}

const unmatched: PlannedDescriptor = { limits: [] };

interface LimitsMatch {
  readonly limits: readonly LimitRule[];
  readonly counterEntries?: readonly Entry[];
  readonly metricKey?: string;
}

function limitsOf(domainName: string, domain: DomainRules, descriptor: DescriptorInput): LimitsMatch {
  const match = matchDescriptor(domain, descriptor.entries);
  const { override } = descriptor;
  if (override === undefined) return match ?? noLimits;
  const template = match?.limits.find((rule) => !rule.unlimited);
  const path = match?.descriptorPath ?? descriptor.entries.map((entry) => entry.key).join('/');
  // The override counts per request entries, as Envoy's does (no shared wildcard).
  return {
    metricKey: match?.metricKey,
    limits: [
      {
        name: `${path}/override/${formatDuration(override.windowMs)}`,
        declaredName: '',
        domain: domainName,
        descriptorPath: path,
        algorithm:
          template?.algorithm === 'concurrency'
            ? 'sliding_window'
            : (template?.algorithm ?? 'sliding_window'),
        requestsPerUnit: override.requestsPerUnit,
        windowMs: override.windowMs,
        burst: template?.algorithm === 'token_bucket' ? template.burst : 0,
        // As in Envoy, an override is never in shadow or quota mode.
        shadowMode: false,
        quotaMode: false,
        unlimited: false,
        tier: template?.tier ?? '',
        replaces: [],
        denyOnAnomaly: template?.denyOnAnomaly ?? false,
      },
    ],
  };
}

const noLimits: LimitsMatch = { limits: [] };

/**
 * A counter's name: `{<domain>/<first entry>}:<rule>:<entries>`. The hash tag, the domain and the
 * descriptor's first entry (`{gatehouse/user=42}`), puts every counter of a descriptor (each of its
 * rules, both windows of a sliding window) in one Redis Cluster slot, so one script decides them
 * atomically, while different users, addresses and keys spread over every master.
 */
export function counterKey(domain: string, rule: string, entries: readonly Entry[]): string {
  const first = entries.length === 0 ? '' : `/${encodeEntries(entries.slice(0, 1))}`;
  return `{${escape(domain)}${first}}:${rule}:${encodeEntries(entries)}`;
}

/** `key=value/key=value` with `%`, `/`, `=`, `:` and braces escaped, so distinct entries never share a counter. */
export function encodeEntries(entries: readonly Entry[]): string {
  return entries.map((entry) => `${escape(entry.key)}=${escape(entry.value)}`).join('/');
}

function escape(text: string): string {
  return text.replace(/[%/=:{}]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A lease id handed to the caller: the random lease plus its counter key, so Release can find it. */
export function encodeLeaseId(check: StoreCheck): string {
  return `${check.leaseId ?? ''}.${Buffer.from(check.key, 'utf8').toString('base64url')}`;
}

export function decodeLeaseId(leaseId: string): { key: string; lease: string } | undefined {
  const dot = leaseId.indexOf('.');
  if (dot <= 0) return undefined;
  const key = Buffer.from(leaseId.slice(dot + 1), 'base64url').toString('utf8');
  if (!key.startsWith('{')) return undefined;
  return { lease: leaseId.slice(0, dot), key };
}
