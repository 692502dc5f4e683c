import type { DescriptorNode, DomainRules, LimitRule } from './rule';

export interface Entry {
  readonly key: string;
  readonly value: string;
}

/** The limits selected by one descriptor, and the path that selected them. */
export interface DescriptorMatch {
  readonly limits: readonly LimitRule[];
  readonly descriptorPath: string;
}

/** The descriptor key that selects a `tiers:` map entry. */
export const tierKey = 'tier';

/**
 * Envoy's most-specific match: entries are walked in order, at each level preferring the node
 * for `key=value` over the node for `key`; the descriptor selects the limits of the node its last
 * entry reaches. A `tier` entry with no node at its level is set aside and picks the reached
 * node's `tiers:` limits instead (falling back to the node's own limits).
 * Undefined when nothing matches or the node has no limits.
 */
export function matchDescriptor(domain: DomainRules, entries: readonly Entry[]): DescriptorMatch | undefined {
  let level: Pick<DescriptorNode, 'exact' | 'byKey'> = domain.root;
  let node: DescriptorNode | undefined;
  let tier: string | undefined;
  const path: string[] = [];
  for (const entry of entries) {
    const exactKey = `${entry.key}=${entry.value}`;
    const next = level.exact.get(exactKey) ?? level.byKey.get(entry.key);
    if (next === undefined) {
      if (entry.key === tierKey && tier === undefined) {
        tier = entry.value;
        continue;
      }
      return undefined;
    }
    path.push(next.value === undefined ? next.key : exactKey);
    node = next;
    level = next;
  }
  if (node === undefined) return undefined;
  const tiered = tier === undefined ? undefined : node.tiers.get(tier);
  const limits = tiered ?? node.limits;
  return limits.length === 0 ? undefined : { limits, descriptorPath: path.join('/') };
}
