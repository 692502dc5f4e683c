/** "/pkg.Service/Method" and "pkg.Service/Method" name the same method. */
export function normalizePath(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}

/**
 * A matcher for method patterns: an exact path ("pkg.Service/Method") or every method of a
 * service ("pkg.Service/*"); a leading "/" is optional.
 */
export function methodMatcher(patterns: readonly string[]): (path: string) => boolean {
  const exact = new Set<string>();
  const services = new Set<string>();
  for (const pattern of patterns.map(normalizePath)) {
    if (pattern.endsWith('/*')) services.add(pattern.slice(0, -2));
    else exact.add(pattern);
  }
  return (path) => {
    const normalized = normalizePath(path);
    if (exact.has(normalized)) return true;
    const slash = normalized.indexOf('/');
    return slash > 0 && services.has(normalized.slice(0, slash));
  };
}

/** The method's own name, lower-cased: "/pkg.Service/SummarizeNotes" → "summarizenotes". */
export function methodName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).toLowerCase();
}
