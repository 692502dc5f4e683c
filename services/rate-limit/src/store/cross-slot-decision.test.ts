import { describe, expect, it } from 'vitest';
import type { Evaluation } from '../limiter/limit-spec';
import { decideAcrossSlots, type Commit } from './cross-slot-decision';
import type { StoreCheck } from './limit-store';

const check = (key: string, extra: Partial<StoreCheck> = {}): StoreCheck => ({
  key,
  spec: { algorithm: 'fixed_window', limit: 10, windowMs: 1000, burst: 0 },
  shadow: false,
  ...extra,
});
const verdict = (allowed: boolean): Evaluation => ({
  allowed,
  remaining: 0,
  resetAfterMs: 0,
  retryAfterMs: 0,
});

/** Answers each slot's part from `answers` (keyed by check key) or fails the slots in `failing`. */
function fakeSlots(answers: Record<string, boolean>, failing: Record<number, Error> = {}) {
  const refunds: { slot: number; commits: string[] }[] = [];
  return {
    refunds,
    decide: async (checks: readonly StoreCheck[], slot: number) => {
      const failure = failing[slot];
      if (failure !== undefined) throw failure;
      return checks.map((c) => verdict(answers[c.key] ?? true));
    },
    refund: async (commits: readonly Commit[], slot: number) => {
      refunds.push({ slot, commits: commits.map((c) => `${c.check.key}x${c.hits}`) });
    },
  };
}

describe('decideAcrossSlots', () => {
  it('answers in the checks order and refunds nothing when every slot admits', async () => {
    const slots = fakeSlots({});
    const results = await decideAcrossSlots({
      checks: [check('a'), check('b'), check('c')],
      slots: [1, 2, 1],
      demand: { hits: 1, consume: true },
      ...slots,
      onRefundError: () => undefined,
    });
    expect(results.map((r) => r.allowed)).toEqual([true, true, true]);
    expect(slots.refunds).toEqual([]);
  });

  it('gives back what the admitting slots took when another refuses: not shadows, not checks that only look', async () => {
    const slots = fakeSlots({ refused: false, 'shadow-over': false });
    const results = await decideAcrossSlots({
      checks: [
        check('a', { demand: { hits: 3, consume: true } }),
        check('shadow-over', { shadow: true }),
        check('watch', { demand: { hits: 1, consume: false } }),
        check('refused'),
        check('b'),
      ],
      slots: [1, 1, 1, 2, 3],
      demand: { hits: 2, consume: true },
      ...slots,
      onRefundError: () => undefined,
    });
    expect(results.map((r) => r.allowed)).toEqual([true, false, true, false, true]);
    expect(slots.refunds).toEqual([
      { slot: 1, commits: ['ax3'] },
      { slot: 3, commits: ['bx2'] },
    ]);
  });

  it('a peek refunds nothing; a failed slot fails the decision after the others gave back', async () => {
    const peek = fakeSlots({ refused: false });
    await decideAcrossSlots({
      checks: [check('a'), check('refused')],
      slots: [1, 2],
      demand: { hits: 1, consume: false },
      ...peek,
      onRefundError: () => undefined,
    });
    expect(peek.refunds).toEqual([]);

    const lost = new Error('Connection is closed.');
    const failing = fakeSlots({}, { 2: lost });
    await expect(
      decideAcrossSlots({
        checks: [check('a'), check('b')],
        slots: [1, 2],
        demand: { hits: 1, consume: true },
        ...failing,
        onRefundError: () => undefined,
      }),
    ).rejects.toBe(lost);
    expect(failing.refunds).toEqual([{ slot: 1, commits: ['ax1'] }]);
  });
});
