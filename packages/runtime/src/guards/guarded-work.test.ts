import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../errors/gatehouse-error';
import { admit, refuse } from './admission';
import { runGuarded, type WorkEnd } from './guarded-work';

describe('runGuarded', () => {
  it('runs admitted work and shows onEnd its result', async () => {
    const ends: WorkEnd<number>[] = [];
    const guard = async (call: { id: string }) => {
      expect(call.id).toBe('req-1');
      return admit<WorkEnd<number>>({ onEnd: (end) => ends.push(end) });
    };
    await expect(runGuarded(guard, { id: 'req-1' }, async () => 42)).resolves.toBe(42);
    expect(ends).toEqual([{ result: 42 }]);
  });

  it('shows onEnd the error of failed work, then rethrows it', async () => {
    const ends: WorkEnd<number>[] = [];
    const failure = new Error('work failed');
    const guard = () => admit<WorkEnd<number>>({ onEnd: (end) => ends.push(end) });
    await expect(runGuarded(guard, {}, async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(ends).toEqual([{ error: failure }]);
  });

  it('throws the refusal and never runs the work', async () => {
    const refusal = new GatehouseError('RESOURCE_EXHAUSTED', 'over budget', { reason: 'BUDGET_EXHAUSTED' });
    let ran = false;
    const work = async () => {
      ran = true;
      return 1;
    };
    await expect(runGuarded(async () => refuse(refusal), {}, work)).rejects.toBe(refusal);
    await expect(
      runGuarded(
        () => {
          throw new TypeError('bug');
        },
        {},
        work,
      ),
    ).rejects.toMatchObject({ code: 'INTERNAL', message: 'internal error' });
    expect(ran).toBe(false);
  });
});
