import { budgetV1 } from '@gatehouse/contracts';
import { setSpanAttributes, type ServiceImplementation } from '@gatehouse/runtime';
import { charge } from '../ledger/charge';
import { reserve } from '../ledger/reserve';
import { settleReservation } from '../ledger/settle-reservation';
import type { HandlerDeps } from './handler-deps';
import { toScopeBalance } from './to-proto';
import {
  parseDescription,
  parseIdempotencyKey,
  parseNonNegativeAmount,
  parsePositiveAmount,
  parseRequiredId,
  parseScopes,
  parseTtlSeconds,
} from './validate-request';

type Impl = ServiceImplementation<typeof budgetV1.CostBudgetServiceService>;

/**
 * Reserve, Commit, Release and Charge: called service-to-service by trusted callers, without a
 * credential (see docs/cost-budget.md).
 */
export function spendHandlers(deps: HandlerDeps): Pick<Impl, 'reserve' | 'commit' | 'release' | 'charge'> {
  const { config, ledger } = deps;
  return {
    async reserve(request) {
      const input = {
        idempotencyKey: parseIdempotencyKey(request.idempotencyKey),
        scopes: parseScopes(request.scopes),
        amountMicros: parsePositiveAmount(request.amountMicros, 'amount_micros'),
        ttlSeconds: parseTtlSeconds(request.ttlSeconds, {
          fallback: config.defaultReservationTtlSeconds,
          max: config.maxReservationTtlSeconds,
        }),
        description: parseDescription(request.description),
      };
      const result = await reserve(ledger, input);
      setSpanAttributes({
        'gatehouse.budget.outcome': 'reserved',
        'gatehouse.budget.amount_micros': String(input.amountMicros),
        'gatehouse.budget.reservation_id': result.reservationId,
      });
      return {
        reservationId: result.reservationId,
        expiresAt: new Date(result.expiresAtMs),
        balances: result.balances.map(toScopeBalance),
      };
    },

    async commit(request) {
      const reservationId = parseRequiredId(request.reservationId, 'reservation_id');
      const actualMicros = parseNonNegativeAmount(request.actualMicros, 'actual_micros');
      const result = await settleReservation(ledger, reservationId, { action: 'commit', actualMicros });
      setSpanAttributes({
        'gatehouse.budget.outcome': 'committed',
        'gatehouse.budget.amount_micros': String(result.committedMicros),
        'gatehouse.budget.reservation_id': reservationId,
      });
      return {
        reservationId: result.reservationId,
        committedMicros: result.committedMicros,
        releasedMicros: result.releasedMicros,
        overReservation: result.overReservation,
        balances: result.balances.map(toScopeBalance),
      };
    },

    async release(request) {
      const reservationId = parseRequiredId(request.reservationId, 'reservation_id');
      const result = await settleReservation(ledger, reservationId, { action: 'release' });
      setSpanAttributes({
        'gatehouse.budget.outcome': 'released',
        'gatehouse.budget.reservation_id': reservationId,
      });
      return { releasedMicros: result.releasedMicros, balances: result.balances.map(toScopeBalance) };
    },

    async charge(request) {
      const result = await charge(ledger, {
        idempotencyKey: parseIdempotencyKey(request.idempotencyKey),
        scopes: parseScopes(request.scopes),
        amountMicros: parsePositiveAmount(request.amountMicros, 'amount_micros'),
        description: parseDescription(request.description),
      });
      setSpanAttributes({ 'gatehouse.budget.outcome': 'charged' });
      return { chargeId: result.chargeId, balances: result.balances.map(toScopeBalance) };
    },
  };
}
