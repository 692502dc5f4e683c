import {
  deferredCount,
  flushDeferredCounts,
  GatehouseError,
  type DeferredCount,
  type ServiceMetrics,
} from '@gatehouse/runtime';
import { Counter } from 'prom-client';

export type LoginOutcome = 'success' | 'failure' | 'locked';
export type VerifiedCredential = 'access_token' | 'api_key';

/** Domain metrics of the auth service, in the service's own registry (next to the RPC metrics). */
export interface AuthMetrics {
  /** One login attempt: success, failure (bad email/password, disabled), locked (refused by lockout). */
  login(outcome: LoginOutcome): void;
  /** One credential verification: served from the verification cache or not, and how it ended. */
  verification(credential: VerifiedCredential, cacheHit: boolean, error?: unknown): void;
}

export function createAuthMetrics(metrics: ServiceMetrics): AuthMetrics {
  const logins = new Counter({
    name: 'auth_logins_total',
    help: 'Login attempts by outcome (success, failure, locked).',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  const verifications = new Counter({
    name: 'auth_verifications_total',
    help: 'Credential verifications by credential, cache (hit, miss) and result (valid, invalid, denied).',
    labelNames: ['credential', 'cache', 'result'],
    registers: [metrics.registry],
    collect() {
      flushDeferredCounts(this);
    },
  });
  // Children bound once (Authenticate is the hottest path of the service) and exported from 0, so
  // rate() and alerts work from the first scrape.
  const loginChildren = new Map<LoginOutcome, Counter.Internal>();
  for (const outcome of ['success', 'failure', 'locked'] as const) {
    loginChildren.set(outcome, zeroed(logins.labels({ outcome })));
  }
  // Verifications are counted in plain numbers, added at scrape time: prom-client's inc re-hashes
  // the labels on every call, a cost Authenticate's cache-hit path would otherwise pay each time.
  const verificationChildren = new Map<string, DeferredCount>();
  for (const credential of ['access_token', 'api_key'] as const) {
    for (const cache of ['hit', 'miss'] as const) {
      for (const result of ['valid', 'invalid', 'denied'] as const) {
        zeroed(verifications.labels({ credential, cache, result }));
        const count = deferredCount(verifications, { credential, cache, result });
        verificationChildren.set(`${credential}/${cache}/${result}`, count);
      }
    }
  }
  return {
    login: (outcome) => loginChildren.get(outcome)?.inc(),
    verification: (credential, cacheHit, error) => {
      const result = error === undefined ? 'valid' : resultOf(error);
      verificationChildren.get(`${credential}/${cacheHit ? 'hit' : 'miss'}/${result}`)?.inc();
    },
  };
}

function zeroed(child: Counter.Internal): Counter.Internal {
  child.inc(0);
  return child;
}

/** A missing scope or role is a refusal of a valid credential; anything else an invalid one. */
function resultOf(error: unknown): 'invalid' | 'denied' {
  return error instanceof GatehouseError && error.code === 'PERMISSION_DENIED' ? 'denied' : 'invalid';
}
