import type { WildcardPattern } from './rule';

/** True when a descriptor value is a wildcard pattern (Envoy: a `*` anywhere in it). */
export function isWildcard(value: string): boolean {
  return value.includes('*');
}

/**
 * Compiles a `*` pattern such as `foo*`, `bar*b` or `svc*ep*rpc`. Each `*` matches any run of
 * characters, including an empty one, and the literal parts must appear in order: the first at the
 * start, the last at the end. Split once here, so a match allocates nothing.
 */
export function compileWildcard(source: string): WildcardPattern {
  const parts = source.split('*');
  const head = parts[0] ?? '';
  const tail = parts[parts.length - 1] ?? '';
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  const fixed = parts.reduce((total, part) => total + part.length, 0);
  return {
    source,
    matches(value: string): boolean {
      if (value.length < fixed || !value.startsWith(head) || !value.endsWith(tail)) return false;
      // Leftmost placement of each middle part, between the head and the tail, is always safe.
      const end = value.length - tail.length;
      let at = head.length;
      for (const part of middle) {
        const found = value.indexOf(part, at);
        if (found < 0 || found + part.length > end) return false;
        at = found + part.length;
      }
      return true;
    },
  };
}
