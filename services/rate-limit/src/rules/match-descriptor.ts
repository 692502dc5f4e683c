import type { DescriptorLevel, DescriptorNode, DomainRules, LimitRule } from './rule';

export interface Entry {
  readonly key: string;
  readonly value: string;
}

/** The limits selected by one descriptor, and the path that selected them. */
export interface DescriptorMatch {
  readonly limits: readonly LimitRule[];
  readonly descriptorPath: string;
  /**
   * Set when a `share_threshold` wildcard is on the path: the entries naming the counters, each
   * shared wildcard's pattern in place of the request's value, so all its values count together.
   */
  readonly counterEntries?: readonly Entry[];
  /** Envoy's stats key of the match (`key1_value1.subkey1`), when `detailed_metric` or `value_to_metric` asks for one. */
  readonly metricKey?: string;
}

/** The descriptor key that selects a `tiers:` map entry. */
export const tierKey = 'tier';

/**
 * The child of `level` an entry reaches, in Envoy's order: the exact value, else the first
 * wildcard of the key (in file order) that matches, else the key alone. Exact values are one map
 * lookup; only the wildcards of the entry's own key are scanned, and only on an exact miss.
 */
function step(level: DescriptorLevel, entry: Entry): DescriptorNode | undefined {
  const exact = level.exact.get(entry.key)?.get(entry.value);
  if (exact !== undefined) return exact;
  if (level.wildcards.size > 0) {
    const wildcards = level.wildcards.get(entry.key);
    if (wildcards !== undefined) {
      for (const node of wildcards) if (node.pattern?.matches(entry.value) === true) return node;
    }
  }
  return level.byKey.get(entry.key);
}

/**
 * Envoy's most-specific match: entries are walked in order, at each level preferring the exact
 * `key=value` node, then a matching wildcard value, then the node for `key`; the descriptor selects
 * the limits of the node its last entry reaches. A `tier` entry with no node at its level is set
 * aside and picks the reached node's `tiers:` limits instead (falling back to the node's own limits).
 * Undefined when nothing matches or the node has no limits.
 */
export function matchDescriptor(domain: DomainRules, entries: readonly Entry[]): DescriptorMatch | undefined {
  let level: DescriptorLevel = domain.root;
  let node: DescriptorNode | undefined;
  let tier: string | undefined;
  for (const entry of entries) {
    const next = step(level, entry);
    if (next === undefined) {
      if (entry.key === tierKey && tier === undefined) {
        tier = entry.value;
        continue;
      }
      return undefined;
    }
    node = next;
    level = next;
  }
  if (node === undefined) return undefined;
  const tiered = tier === undefined ? undefined : node.tiers.get(tier);
  const limits = tiered ?? node.limits;
  if (limits.length === 0) return undefined;
  if (!node.sharedOnPath && !node.metricOnPath) return { limits, descriptorPath: node.path };
  return { limits, descriptorPath: node.path, ...matchDetails(domain, entries, node) };
}

/** The rarer parts of a match, from the nodes each entry reached (a second walk, same steps). */
function matchDetails(
  domain: DomainRules,
  entries: readonly Entry[],
  leaf: DescriptorNode,
): Pick<DescriptorMatch, 'counterEntries' | 'metricKey'> {
  const reached: (DescriptorNode | undefined)[] = [];
  let level: DescriptorLevel = domain.root;
  for (const entry of entries) {
    const next = step(level, entry);
    reached.push(next);
    if (next !== undefined) level = next;
  }
  const shared = (i: number) => {
    const node = reached[i];
    return node?.shareThreshold === true && node.pattern !== undefined ? node.value : undefined;
  };
  const counterEntries = leaf.sharedOnPath
    ? entries.map((entry, i) => {
        const pattern = shared(i);
        return pattern === undefined ? entry : { key: entry.key, value: pattern };
      })
    : undefined;
  if (!leaf.metricOnPath) return { counterEntries };
  const part = (key: string, value: string | undefined) => (value ? `${key}_${value}` : key);
  const metricKey = entries
    .map((entry, i) => {
      const node = reached[i];
      if (leaf.detailedMetric) return part(entry.key, shared(i) ?? entry.value);
      if (node === undefined) return entry.key;
      if (node.pattern !== undefined) {
        return part(entry.key, node.shareThreshold || !node.valueToMetric ? node.value : entry.value);
      }
      if (node.value !== undefined) return part(entry.key, entry.value);
      return part(entry.key, node.valueToMetric ? entry.value : undefined);
    })
    .join('.');
  return { counterEntries, metricKey };
}
