import type { Scenario } from '../scenario';
import { authenticateCall, benchUserToken, startBenchAuth } from './auth-bench-service';
import { startBenchCostBudget } from './cost-budget-bench-service';
import {
  benchKeys,
  benchPrefix,
  dropBenchKeys,
  ipDescriptor,
  startBenchRateLimit,
} from './ratelimit-bench-service';

const name = 'mixed-protected-request';
/** One request in this many is an expensive one that also holds budget (Reserve + Commit). */
const budgetedEvery = 10;

/**
 * One protected request as a gateway makes it, in sequence: Authenticate (one access token
 * repeated, the cache-hit path of auth-authenticate-token; auth host in this process on PGlite),
 * then CheckLimit (1 descriptor, as ratelimit-check-1-descriptor; rate-limit host in this process
 * on Redis), and on one request in ten (the expensive calls) also Reserve + Commit (as
 * cost-budget-reserve-commit; the cost-budget service in its own process on PostgreSQL + Redis).
 * So 2.2 RPCs per request on average. Teardown checks the budget ledger and drops schema and keys.
 */
export const mixedProtectedRequest: Scenario = {
  name,
  summary:
    'one protected request: Authenticate (cached token; auth in-process, PGlite) -> CheckLimit ' +
    `(1 descriptor; rate-limit in-process, Redis) -> 1 in ${budgetedEvery} also Reserve + Commit ` +
    '(cost-budget child process, PostgreSQL + Redis)',
  concurrencies: [32],
  async setup() {
    const stops: (() => Promise<void>)[] = [];
    const stopAll = async () => {
      const errors: unknown[] = [];
      for (const stop of stops.reverse()) await stop().catch((error: unknown) => errors.push(error));
      if (errors.length > 0) throw errors[0];
    };
    try {
      const auth = await startBenchAuth();
      stops.push(auth.stop);
      const authenticate = authenticateCall(auth, {
        bearerToken: await benchUserToken(auth, 'bench-mixed@example.com'),
      });
      const prefix = benchPrefix(name);
      const rateLimit = await startBenchRateLimit(prefix);
      stops.push(async () => {
        await rateLimit.stop();
        await dropBenchKeys(prefix);
      });
      const budget = await startBenchCostBudget(name);
      stops.push(budget.stop);
      let i = 0;
      return {
        async call() {
          i += 1;
          await authenticate();
          const limit = await rateLimit.check({
            domain: 'bench',
            descriptors: [ipDescriptor(i % benchKeys)],
            hits: 1,
          });
          if (!limit.allowed || limit.fallback) throw new Error('bench request was not decided by Redis');
          if (i % budgetedEvery === 0) await budget.reserveCommit();
        },
        teardown: stopAll,
      };
    } catch (error) {
      await stopAll().catch(() => undefined);
      throw error;
    }
  },
};
