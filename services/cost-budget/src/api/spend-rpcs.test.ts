import { status } from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import { createManualClock, readErrorDetails } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callError } from '../../../../test/support/grpc-call';
import type { Backend } from '../../../../test/support/start-service';
import { startFakeAuthServer } from '../test-support/fake-auth-server';
import {
  globalScopeMessage,
  startBudgetTestService,
  team,
  user,
  type BudgetTestService,
} from '../test-support/budget-test-service';

const { Period, BudgetEventType } = budgetV1;
const admin = 'admin-token';
let counter = 0;
const key = () => `key-${++counter}`;

describe.each(['embedded', 'real'] as Backend[])(
  'Reserve / Commit / Release / Charge on %s stores',
  (backend) => {
    const clock = createManualClock(Date.parse('2026-01-01T10:00:00Z'));
    let auth: Awaited<ReturnType<typeof startFakeAuthServer>>;
    let svc: BudgetTestService;

    beforeAll(async () => {
      auth = await startFakeAuthServer();
      svc = await startBudgetTestService({
        backend,
        authAddress: auth.address,
        clock,
        env: { BUDGET_DEFAULT_GLOBAL: 'none', BUDGET_DEFAULT_USER: '5000000/daily' },
      });
    });
    afterAll(async () => {
      await svc?.stop();
      await auth?.host.shutdown();
    });

    const remaining = async (scope: budgetV1.Scope) => {
      const budget = await svc.call.getBudget({ scope }, admin);
      return [budget.spentMicros, budget.reservedMicros, budget.remainingMicros];
    };

    it('reserve holds, commit records the actual and releases the rest, release voids', async () => {
      const u = user('arith');
      await svc.call.setBudget({ scope: u, limitMicros: 1_000_000n, period: Period.PERIOD_DAILY }, admin);
      const reserved = await svc.call.reserve({ idempotencyKey: key(), scopes: [u], amountMicros: 300_000n });
      expect(reserved.reservationId).toMatch(/^rsv_/);
      expect(reserved.expiresAt?.toISOString()).toBe('2026-01-01T10:05:00.000Z');
      // Every reservation also holds on global (unlimited here: BUDGET_DEFAULT_GLOBAL=none).
      expect(reserved.balances.map((b) => [b.scope?.kind, b.remainingMicros, b.unlimited])).toEqual([
        [budgetV1.ScopeKind.SCOPE_KIND_USER, 700_000n, false],
        [budgetV1.ScopeKind.SCOPE_KIND_GLOBAL, 9_223_372_036_854_775_807n - 300_000n, true],
      ]);
      expect(await remaining(u)).toEqual([0n, 300_000n, 700_000n]);

      const committed = await svc.call.commit({
        reservationId: reserved.reservationId,
        actualMicros: 120_000n,
      });
      expect([committed.committedMicros, committed.releasedMicros, committed.overReservation]).toEqual([
        120_000n,
        180_000n,
        false,
      ]);
      expect(await remaining(u)).toEqual([120_000n, 0n, 880_000n]);

      const second = await svc.call.reserve({ idempotencyKey: key(), scopes: [u], amountMicros: 500_000n });
      const released = await svc.call.release({ reservationId: second.reservationId });
      expect(released.releasedMicros).toBe(500_000n);
      expect(await remaining(u)).toEqual([120_000n, 0n, 880_000n]);

      const charged = await svc.call.charge({ idempotencyKey: key(), scopes: [u], amountMicros: 80_000n });
      expect(charged.chargeId).toMatch(/^chg_/);
      expect(await remaining(u)).toEqual([200_000n, 0n, 800_000n]);
    });

    it('is all or nothing across scopes and names the exhausted scope, its remaining and reset', async () => {
      const u = user('aon');
      const t = team('aon-team');
      await svc.call.setBudget({ scope: u, limitMicros: 1_000_000n, period: Period.PERIOD_DAILY }, admin);
      await svc.call.setBudget({ scope: t, limitMicros: 400_000n, period: Period.PERIOD_HOURLY }, admin);
      await svc.call.charge({ idempotencyKey: key(), scopes: [t], amountMicros: 100_000n });
      const error = await callError(
        svc.call.reserve({ idempotencyKey: key(), scopes: [u, t], amountMicros: 500_000n }),
      );
      expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(error.details).toContain('team:aon-team');
      expect(error.details).toContain('300000 micros');
      expect(error.details).toContain('resets at 2026-01-01T11:00:00.000Z');
      const details = readErrorDetails(error.metadata);
      expect(details.reason).toBe('BUDGET_EXHAUSTED');
      expect(details.metadata).toMatchObject({
        scope: 'team:aon-team',
        remaining_micros: '300000',
        resets_at: '2026-01-01T11:00:00.000Z',
      });
      // Nothing was held on the user scope either.
      expect(await remaining(u)).toEqual([0n, 0n, 1_000_000n]);
      expect(await remaining(t)).toEqual([100_000n, 0n, 300_000n]);
      const events = await svc.call.listBudgetEvents({ scope: t }, admin);
      expect(events.events[0]?.type).toBe(BudgetEventType.BUDGET_EVENT_TYPE_EXHAUSTED);
    });

    it('returns an expired hold automatically (manual clock), and refuses to commit it', async () => {
      const u = user('expiry');
      await svc.call.setBudget({ scope: u, limitMicros: 1_000_000n, period: Period.PERIOD_TOTAL }, admin);
      const r = await svc.call.reserve({
        idempotencyKey: key(),
        scopes: [u],
        amountMicros: 600_000n,
        ttlSeconds: 30,
      });
      const lazy = await svc.call.reserve({
        idempotencyKey: key(),
        scopes: [u],
        amountMicros: 100_000n,
        ttlSeconds: 60,
      });
      expect(await remaining(u)).toEqual([0n, 700_000n, 300_000n]);
      clock.advance(30_000);
      expect(await svc.app.sweepExpired()).toBe(1);
      expect(await remaining(u)).toEqual([0n, 100_000n, 900_000n]);
      const error = await callError(svc.call.commit({ reservationId: r.reservationId, actualMicros: 1n }));
      expect(error.code).toBe(status.FAILED_PRECONDITION);
      expect(readErrorDetails(error.metadata).reason).toBe('RESERVATION_EXPIRED');
      // Lazy expiry: touching a lapsed reservation returns its hold even before a sweep.
      clock.advance(30_000);
      const lapsed = await callError(
        svc.call.commit({ reservationId: lazy.reservationId, actualMicros: 1n }),
      );
      expect(lapsed.code).toBe(status.FAILED_PRECONDITION);
      expect(await remaining(u)).toEqual([0n, 0n, 1_000_000n]);
      const events = await svc.call.listBudgetEvents({ scope: u }, admin);
      expect(
        events.events.filter((e) => e.type === BudgetEventType.BUDGET_EVENT_TYPE_RESERVATION_EXPIRED),
      ).toHaveLength(2);
    });

    it('refuses commit/release of unknown and settled reservations without double counting', async () => {
      const u = user('settled');
      await svc.call.setBudget({ scope: u, limitMicros: 1_000_000n, period: Period.PERIOD_TOTAL }, admin);
      const r = await svc.call.reserve({ idempotencyKey: key(), scopes: [u], amountMicros: 100_000n });
      await svc.call.commit({ reservationId: r.reservationId, actualMicros: 100_000n });
      const again = await callError(
        svc.call.commit({ reservationId: r.reservationId, actualMicros: 100_000n }),
      );
      expect([again.code, readErrorDetails(again.metadata).reason]).toEqual([
        status.FAILED_PRECONDITION,
        'RESERVATION_COMMITTED',
      ]);
      const release = await callError(svc.call.release({ reservationId: r.reservationId }));
      expect(release.code).toBe(status.FAILED_PRECONDITION);
      const unknown = await callError(svc.call.commit({ reservationId: 'rsv_nope', actualMicros: 1n }));
      expect(unknown.code).toBe(status.NOT_FOUND);
      expect(await remaining(u)).toEqual([100_000n, 0n, 900_000n]);
    });

    it('records a commit above its hold in full and flags it (allow-and-flag)', async () => {
      const u = user('over');
      await svc.call.setBudget({ scope: u, limitMicros: 1_000_000n, period: Period.PERIOD_TOTAL }, admin);
      const r = await svc.call.reserve({ idempotencyKey: key(), scopes: [u], amountMicros: 100_000n });
      const c = await svc.call.commit({ reservationId: r.reservationId, actualMicros: 250_000n });
      expect([c.committedMicros, c.releasedMicros, c.overReservation]).toEqual([250_000n, 0n, true]);
      expect(await remaining(u)).toEqual([250_000n, 0n, 750_000n]);
      const events = await svc.call.listBudgetEvents({ scope: u }, admin);
      expect(events.events.map((e) => e.type)).toContain(BudgetEventType.BUDGET_EVENT_TYPE_OVER_RESERVATION);
    });

    it('replays the same key with the same parameters and rejects different parameters', async () => {
      const u = user('idem');
      await svc.call.setBudget({ scope: u, limitMicros: 1_000_000n, period: Period.PERIOD_TOTAL }, admin);
      const k = key();
      const first = await svc.call.reserve({ idempotencyKey: k, scopes: [u], amountMicros: 100_000n });
      const replay = await svc.call.reserve({
        idempotencyKey: k,
        scopes: [u, globalScopeMessage],
        amountMicros: 100_000n,
      });
      expect(replay).toEqual(first);
      expect(await remaining(u)).toEqual([0n, 100_000n, 900_000n]);
      const conflict = await callError(
        svc.call.reserve({ idempotencyKey: k, scopes: [u], amountMicros: 100_001n }),
      );
      expect(conflict.code).toBe(status.FAILED_PRECONDITION);
      expect(readErrorDetails(conflict.metadata).reason).toBe('IDEMPOTENCY_KEY_REUSED');
      const otherOp = await callError(
        svc.call.charge({ idempotencyKey: k, scopes: [u], amountMicros: 100_000n }),
      );
      expect(otherOp.code).toBe(status.FAILED_PRECONDITION);
      const ck = key();
      const c1 = await svc.call.charge({ idempotencyKey: ck, scopes: [u], amountMicros: 5n });
      const concurrent = await Promise.all(
        [1, 2, 3].map(() => svc.call.charge({ idempotencyKey: ck, scopes: [u], amountMicros: 5n })),
      );
      expect(concurrent.map((c) => c.chargeId)).toEqual([c1.chargeId, c1.chargeId, c1.chargeId]);
      expect(await remaining(u)).toEqual([5n, 100_000n, 899_995n]);
    });

    it('handles int64 boundaries exactly and rejects overflow', async () => {
      // Its own service: every operation also charges the global scope, which must start empty here.
      const own = await startBudgetTestService({
        backend,
        authAddress: auth.address,
        clock,
        env: { BUDGET_DEFAULT_GLOBAL: 'none' },
      });
      const max = 9_223_372_036_854_775_807n;
      const u = user('int64');
      const remaining = async (scope: budgetV1.Scope) => {
        const budget = await own.call.getBudget({ scope }, admin);
        return [budget.spentMicros, budget.reservedMicros, budget.remainingMicros];
      };
      try {
        await own.call.setBudget({ scope: u, limitMicros: max, period: Period.PERIOD_TOTAL }, admin);
        await own.call.charge({ idempotencyKey: key(), scopes: [u], amountMicros: max - 1n });
        expect(await remaining(u)).toEqual([max - 1n, 0n, 1n]);
        const r = await own.call.reserve({ idempotencyKey: key(), scopes: [u], amountMicros: 1n });
        expect(await remaining(u)).toEqual([max - 1n, 1n, 0n]);
        const over = await callError(
          own.call.reserve({ idempotencyKey: key(), scopes: [u], amountMicros: max }),
        );
        expect(over.code).toBe(status.RESOURCE_EXHAUSTED);
        const overflow = await callError(
          own.call.commit({ reservationId: r.reservationId, actualMicros: max }),
        );
        expect([overflow.code, readErrorDetails(overflow.metadata).field]).toEqual([
          status.INVALID_ARGUMENT,
          'actual_micros',
        ]);
        await own.call.commit({ reservationId: r.reservationId, actualMicros: 1n });
        expect(await remaining(u)).toEqual([max, 0n, 0n]);
      } finally {
        await own.stop();
      }
    });

    it.each([
      [{ idempotencyKey: '', scopes: [user('x')], amountMicros: 1n }, 'idempotency_key'],
      [{ idempotencyKey: 'k', scopes: [], amountMicros: 1n }, 'scopes'],
      [
        {
          idempotencyKey: 'k',
          scopes: [user('x'), { kind: budgetV1.ScopeKind.SCOPE_KIND_TEAM, id: '' }],
          amountMicros: 1n,
        },
        'scopes[1].id',
      ],
      [
        {
          idempotencyKey: 'k',
          scopes: [{ kind: budgetV1.ScopeKind.SCOPE_KIND_UNSPECIFIED, id: 'a' }],
          amountMicros: 1n,
        },
        'scopes[0].kind',
      ],
      [{ idempotencyKey: 'k', scopes: [user('x')], amountMicros: 0n }, 'amount_micros'],
      [{ idempotencyKey: 'k', scopes: [user('x')], amountMicros: -5n }, 'amount_micros'],
      [{ idempotencyKey: 'k', scopes: [user('x')], amountMicros: 1n, ttlSeconds: -1 }, 'ttl_seconds'],
      [{ idempotencyKey: 'k', scopes: [user('x'), user('x')], amountMicros: 1n }, 'scopes[1]'],
    ])('bad Reserve input is INVALID_ARGUMENT naming the field (%#)', async (request, field) => {
      const error = await callError(svc.call.reserve(request));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(readErrorDetails(error.metadata).field).toBe(field);
      expect(error.details.startsWith(`${field}:`)).toBe(true);
    });

    it('applies the configured default to a user without a budget ($5/day)', async () => {
      const budget = await svc.call.getBudget({ scope: user('defaulted') }, admin);
      expect([budget.limitMicros, budget.explicit, budget.period]).toEqual([
        5_000_000n,
        false,
        Period.PERIOD_DAILY,
      ]);
      expect(budget.resetsAt?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    });
  },
);
