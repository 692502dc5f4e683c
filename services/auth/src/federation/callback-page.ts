import type { ServerResponse } from 'node:http';
import type { authV1 } from '@gatehouse/contracts';

/** What a browser (or a script asking for JSON) gets back from the ops port's callback. */
export type CallbackOutcome =
  | { kind: 'signed-in'; pair: authV1.TokenPair; email: string; provider: string }
  | { kind: 'failed'; httpStatus: number; code: string; reason: string; message: string };

/**
 * Tokens travel only in this response's body, never in a URL, and the response forbids every way
 * of keeping or leaking it: no caching, no referrer, no framing, no scripts, no subresources.
 */
const securityHeaders = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
};

export function sendCallbackOutcome(response: ServerResponse, outcome: CallbackOutcome, json: boolean): void {
  const status = outcome.kind === 'signed-in' ? 200 : outcome.httpStatus;
  const body = json ? `${JSON.stringify(jsonOf(outcome))}\n` : htmlOf(outcome);
  const type = json ? 'application/json' : 'text/html; charset=utf-8';
  response.writeHead(status, { ...securityHeaders, 'content-type': type });
  response.end(body);
}

/** JSON in the shape of an OAuth 2.0 token response (RFC 6749 §5.1), or the gRPC refusal. */
function jsonOf(outcome: CallbackOutcome): Record<string, unknown> {
  if (outcome.kind === 'failed') {
    return { code: outcome.code, reason: outcome.reason, message: outcome.message };
  }
  return {
    access_token: outcome.pair.accessToken,
    refresh_token: outcome.pair.refreshToken,
    token_type: outcome.pair.tokenType,
    expires_in: Number(outcome.pair.expiresIn),
    refresh_expires_in: Number(outcome.pair.refreshExpiresIn),
  };
}

function htmlOf(outcome: CallbackOutcome): string {
  if (outcome.kind === 'failed') {
    return page(
      'Sign-in failed',
      `<p>${escape(outcome.message)}</p><p class="muted">${escape(outcome.code)} · ${escape(outcome.reason)}</p>
<p>Start the sign-in again from where you began it.</p>`,
    );
  }
  const minutes = Math.round(Number(outcome.pair.expiresIn) / 60);
  return page(
    'Signed in',
    `<p>Signed in to Gatehouse as <strong>${escape(outcome.email)}</strong> with ${escape(outcome.provider)}.</p>
<p>Access token, valid ${minutes} minutes: send it as <code>authorization: Bearer &lt;token&gt;</code>, or
<code>export GATEHOUSE_TOKEN=&lt;token&gt;</code> for the <code>gatehouse</code> command.</p>
<textarea readonly rows="7" aria-label="access token">${escape(outcome.pair.accessToken)}</textarea>
<p>Refresh token, for Refresh and Logout only. Keep it secret.</p>
<textarea readonly rows="7" aria-label="refresh token">${escape(outcome.pair.refreshToken)}</textarea>
<p class="muted">This page is not stored by your browser; close it when you are done.</p>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse: ${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}
textarea{width:100%;font:12px monospace;word-break:break-all}.muted{color:#666}</style></head>
<body><main><h1>${escape(title)}</h1>
${body}
</main></body></html>
`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
