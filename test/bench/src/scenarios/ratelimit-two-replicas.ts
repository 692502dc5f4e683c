import type { Scenario } from '../scenario';
import {
  admittedUnderRace,
  benchKeys,
  benchPrefix,
  dropBenchKeys,
  ipDescriptor,
  startBenchRateLimit,
  type BenchRateLimit,
} from './ratelimit-bench-service';

const name = 'ratelimit-check-two-replicas';
const exactLimit = 300;
const exactAttempts = 500;

/** One CheckLimit that must be decided by Redis (no fallback); resolves whether it was allowed. */
async function decided(replica: BenchRateLimit, request: Parameters<BenchRateLimit['check']>[0]) {
  const response = await replica.check(request);
  if (response.fallback) throw new Error('bench request was not decided by Redis');
  return response.allowed;
}

/**
 * ratelimit-check-1-descriptor on two replicas: two rate-limit service hosts in this process, each
 * with its own gRPC client, on the same Redis and key prefix (so on the same counters); calls
 * alternate between them. After the measurement, 500 CheckLimits racing for one key with a limit
 * of 300, alternating between the replicas, must admit exactly 300 (printed; teardown fails otherwise).
 */
export const checkLimitTwoReplicas: Scenario = {
  name,
  summary:
    'CheckLimit over gRPC, 1 descriptor, alternating between 2 rate-limit hosts in this process ' +
    '(a client each) sharing one Redis and key prefix',
  concurrencies: [32],
  async setup() {
    const prefix = benchPrefix(name);
    const first = await startBenchRateLimit(prefix);
    const second = await startBenchRateLimit(prefix).catch(async (error: unknown) => {
      await first.stop();
      throw error;
    });
    const replicas = [first, second];
    let i = 0;
    return {
      async call() {
        i = (i + 1) % benchKeys;
        const replica = replicas[i & 1]!;
        if (!(await decided(replica, { domain: 'bench', descriptors: [ipDescriptor(i)], hits: 1 })))
          throw new Error('denied');
      },
      async teardown() {
        let admitted: number | undefined;
        try {
          // A per-request override of the `ip` rule's limit: the same key on both replicas.
          const request = {
            domain: 'bench',
            descriptors: [
              {
                entries: [{ key: 'ip', value: 'exactness' }],
                limit: { requestsPerUnit: exactLimit, windowMs: 3_600_000n },
              },
            ],
            hits: 1,
          };
          let turn = 0;
          admitted = await admittedUnderRace(
            () => decided(replicas[(turn += 1) & 1]!, request),
            exactAttempts,
          );
          process.stderr.write(
            `  ${name} exactness: ${exactAttempts} racing CheckLimits over both replicas ` +
              `of a limit of ${exactLimit} admitted ${admitted}\n`,
          );
        } finally {
          await Promise.all(replicas.map((replica) => replica.stop()));
          await dropBenchKeys(prefix);
        }
        if (admitted !== exactLimit) {
          throw new Error(`${name}: a limit of ${exactLimit} admitted ${admitted} over two replicas`);
        }
      },
    };
  },
};
