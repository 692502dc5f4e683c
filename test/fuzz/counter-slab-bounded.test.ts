import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CounterSlab, StoreFullError } from '../../services/rate-limit/src/store/counter-slab';
import { descriptor, startRateLimit } from '../../services/rate-limit/src/test-support/start-rate-limit';
import { describeLoad, runLoad } from '../support/load';

const maxKeys = 50;
const columns = 4;

type Step =
  | { kind: 'write'; key: number; ttl: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'read'; key: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      key: fc.nat(400),
      ttl: fc.integer({ min: 1, max: 1000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 600 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), key: fc.nat(400) }) },
);

describe('high-cardinality keys keep the in-process counter store bounded', () => {
  it('never holds more than maxKeys counters nor grows its rows past them, and refuses only when all are live', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 600 }), (steps) => {
        const slab = new CounterSlab(maxKeys);
        // Reference: each key's expiry and value as last written.
        const model = new Map<string, { expiresAt: number; value: number }>();
        let now = 0;
        let written = 0;
        for (const s of steps) {
          if (s.kind === 'advance') now += s.ms;
          else if (s.kind === 'read') {
            const live = model.get(`k${s.key}`);
            const expected = live !== undefined && live.expiresAt > now ? live.value : undefined;
            expect(slab.read(`k${s.key}`, now)?.[0]).toBe(expected);
          } else {
            const key = `k${s.key}`;
            written += 1;
            try {
              slab.write(key, written, 0, 0, now + s.ttl, now);
              model.set(key, { expiresAt: now + s.ttl, value: written });
            } catch (error) {
              expect(error).toBeInstanceOf(StoreFullError);
              const live = [...model.values()].filter((v) => v.expiresAt > now).length;
              expect(live).toBeGreaterThanOrEqual(maxKeys);
            }
          }
          expect(slab.size).toBeLessThanOrEqual(maxKeys);
          const rows = (slab as unknown as { rows: Float64Array }).rows.length;
          expect(rows).toBeLessThanOrEqual(Math.max(1024 * columns, maxKeys * columns + columns));
        }
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('the service with RATELIMIT_MEMORY_MAX_KEYS=1000 answers 2000 distinct descriptors without an error, counting at most 1000', async () => {
    const service = await startRateLimit({
      rules: `
domain: wide
failure_policy: fail_open
descriptors: [{ key: user, rate_limit: { unit: hour, requests_per_unit: 10 } }]
`,
      env: { RATELIMIT_MEMORY_MAX_KEYS: '1000', RATELIMIT_ANOMALY_MAX_KEYS: '1000' },
    });
    try {
      const values = fc.sample(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), {
        numRuns: 2000,
        seed: 11,
      });
      let counted = 0;
      let fellBack = 0;
      const distinct = [...new Set(values.map((v, i) => `${i}:${v.replace(/=/g, '')}`))];
      const result = await runLoad({
        concurrency: 16,
        durationMs: 60_000,
        maxCalls: distinct.length,
        call: async (i) => {
          const response = await service.check({
            domain: 'wide',
            descriptors: [descriptor(`user=${distinct[i]}`)],
          });
          if (response.fallback) fellBack += 1;
          else counted += 1;
        },
      });
      console.log(
        `2000 distinct descriptors: ${describeLoad(result)}; counted ${counted}, by failure policy ${fellBack}`,
      );
      expect(result.byCode).toEqual({ OK: distinct.length });
      expect(counted).toBeLessThanOrEqual(1000);
      expect(counted + fellBack).toBe(distinct.length);
    } finally {
      await service.stop();
    }
  }, 60_000);
});
