/** One entry of AUTH_FEDERATION_REDIRECT_URIS. */
export interface RedirectPattern {
  /** The URI as configured; every entry but a port-less loopback one matches only this string. */
  text: string;
  /**
   * An http:// entry on 127.0.0.1 or [::1] without a port: any port matches, as RFC 8252 §7.3
   * asks of native apps, whose loopback listener gets its port from the OS (`gatehouse login`).
   */
  anyPort: boolean;
  protocol: string;
  hostname: string;
  pathname: string;
}

const loopbackIps = new Set(['127.0.0.1', '[::1]']);

/** 127.0.0.1, [::1] or localhost: where plain http is acceptable (the traffic never leaves the host). */
export function isLoopbackHost(hostname: string): boolean {
  return loopbackIps.has(hostname) || hostname === 'localhost';
}

/** Parses an allowlist entry; a string is the problem with it. */
export function parseRedirectPattern(raw: string): RedirectPattern | string {
  const url = canonicalUrl(raw);
  if (url === undefined) {
    return `entries must be absolute URLs without query, fragment or credentials, written as browsers do (e.g. https://app.example.com/callback); got ${JSON.stringify(raw)}`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return `${JSON.stringify(raw)} must use https:// (http:// only on 127.0.0.1, [::1] or localhost)`;
  }
  return {
    text: raw,
    anyPort: url.protocol === 'http:' && loopbackIps.has(url.hostname) && url.port === '',
    protocol: url.protocol,
    hostname: url.hostname,
    pathname: url.pathname,
  };
}

/**
 * True when `candidate` is allowed: equal to an entry, character for character, or a loopback
 * entry's URI with some port. The candidate must be canonical (as `new URL().href` writes it), so
 * no encoding, case or dot-segment trick can make another URI look like an allowed one.
 */
export function isAllowedRedirect(patterns: readonly RedirectPattern[], candidate: string): boolean {
  const url = canonicalUrl(candidate);
  if (url === undefined) return false;
  return patterns.some((pattern) =>
    pattern.anyPort
      ? url.protocol === pattern.protocol &&
        url.hostname === pattern.hostname &&
        url.pathname === pattern.pathname
      : candidate === pattern.text,
  );
}

function canonicalUrl(raw: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const plain = !/[?#]/.test(raw) && url.username === '' && url.password === '';
  return plain && url.href === raw && url.host !== '' ? url : undefined;
}
