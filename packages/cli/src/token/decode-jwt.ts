import { CliFailure } from '../shared/cli-failure';

/** A JWT's header and claims, read without verifying anything. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** Splits and base64url-decodes a JWT; a malformed one is a failure that says which part. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.trim().split('.');
  if (parts.length !== 3) {
    throw new CliFailure(`not a JWT: expected three dot-separated parts, got ${parts.length}`);
  }
  return { header: decodePart(parts[0] ?? '', 'header'), claims: decodePart(parts[1] ?? '', 'claims') };
}

function decodePart(part: string, name: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new CliFailure(`not a JWT: the ${name} is not base64url`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new CliFailure(`not a JWT: the ${name} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliFailure(`not a JWT: the ${name} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

const timeClaims = new Set(['exp', 'iat', 'nbf', 'auth_time']);

/** The human view: header and claims, one per line, times also as ISO-8601. */
export function renderDecodedJwt(decoded: DecodedJwt, now: Date): string {
  const line = ([key, value]: [string, unknown]) => {
    let text = typeof value === 'string' ? value : JSON.stringify(value);
    if (timeClaims.has(key) && typeof value === 'number') {
      text += ` (${new Date(value * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')})`;
      if (key === 'exp' && value * 1000 < now.getTime()) text += ' expired';
    }
    return `  ${key}: ${text}\n`;
  };
  return [
    'header:\n',
    ...Object.entries(decoded.header).map(line),
    'claims:\n',
    ...Object.entries(decoded.claims).map(line),
    '(decoded only: the signature was not checked; use `gatehouse token verify`)\n',
  ].join('');
}
