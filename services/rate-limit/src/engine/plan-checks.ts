import { randomBytes } from 'node:crypto';
import { formatDuration } from '../rules/duration';
import { matchDescriptor, type Entry } from '../rules/match-descriptor';
import type { DomainRules, LimitRule } from '../rules/rule';
import type { StoreCheck } from '../store/limit-store';
import type { DescriptorInput } from './decision-types';

/** One limit a descriptor is held to, with the counter that enforces it. */
export interface PlannedLimit {
  readonly rule: LimitRule;
  /** Undefined for unlimited or replaced rules: nothing to count. */
  readonly check?: StoreCheck;
}

export interface PlannedDescriptor {
  /** Empty when no rule matched. */
  readonly limits: readonly PlannedLimit[];
}

/**
 * Matches every descriptor to its rules (most specific wins), applies Envoy's `replaces`
 * across the request, and names each counter (see counterKey).
 */
export function planChecks(
  domainName: string,
  domain: DomainRules | undefined,
  descriptors: readonly DescriptorInput[],
  leases: boolean,
): PlannedDescriptor[] {
  const matched = descriptors.map((descriptor) => limitsOf(domainName, domain, descriptor));
  const replaced = new Set(matched.flatMap((limits) => limits.flatMap((rule) => rule.replaces)));
  return matched.map((limits, index) => ({
    limits: limits.map((rule): PlannedLimit => {
      if (rule.unlimited || replaced.has(rule.name)) return { rule };
      const entries = descriptors[index]?.entries ?? [];
      const ownHits = descriptors[index]?.hits;
      const check: StoreCheck = {
        key: counterKey(domainName, rule.name, entries),
        spec: {
          algorithm: rule.algorithm,
          limit: rule.requestsPerUnit,
          windowMs: rule.windowMs,
          burst: rule.burst,
        },
        shadow: rule.shadowMode,
        leaseId:
          leases && rule.algorithm === 'concurrency' ? randomBytes(9).toString('base64url') : undefined,
        demand: ownHits === undefined ? undefined : { hits: Math.max(1, ownHits), consume: ownHits > 0 },
      };
      return { rule, check };
    }),
  }));
}

function limitsOf(
  domainName: string,
  domain: DomainRules | undefined,
  descriptor: DescriptorInput,
): readonly LimitRule[] {
  const match = domain === undefined ? undefined : matchDescriptor(domain, descriptor.entries);
  const { override } = descriptor;
  if (override === undefined) return match?.limits ?? [];
  const template = match?.limits.find((rule) => !rule.unlimited);
  const path = match?.descriptorPath ?? descriptor.entries.map((entry) => entry.key).join('/');
  return [
    {
      name: `${path}/override/${formatDuration(override.windowMs)}`,
      domain: domainName,
      descriptorPath: path,
      algorithm:
        template?.algorithm === 'concurrency' ? 'sliding_window' : (template?.algorithm ?? 'sliding_window'),
      requestsPerUnit: override.requestsPerUnit,
      windowMs: override.windowMs,
      burst: template?.algorithm === 'token_bucket' ? template.burst : 0,
      shadowMode: template?.shadowMode ?? false,
      unlimited: false,
      tier: template?.tier ?? '',
      replaces: [],
      denyOnAnomaly: template?.denyOnAnomaly ?? false,
    },
  ];
}

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
