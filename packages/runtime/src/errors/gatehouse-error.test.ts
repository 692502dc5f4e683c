import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { errorCodeOf, errorCodes, grpcStatusOf } from './error-code';
import { GatehouseError } from './gatehouse-error';
import { readErrorDetails, toStatusObject } from './status-details';

describe('GatehouseError', () => {
  it('maps every code to a distinct gRPC status and back', () => {
    const statuses = errorCodes.map((code) => grpcStatusOf[code]);
    expect(new Set(statuses).size).toBe(errorCodes.length);
    for (const code of errorCodes) expect(errorCodeOf(grpcStatusOf[code])).toBe(code);
    expect(errorCodeOf(status.CANCELLED)).toBe('INTERNAL');
  });

  it('from() keeps GatehouseErrors, keeps downstream gRPC codes and hides anything else', () => {
    const own = new GatehouseError('PERMISSION_DENIED', 'admin role required');
    expect(GatehouseError.from(own)).toBe(own);
    const downstream = Object.assign(new Error('14 UNAVAILABLE: connect refused'), {
      code: status.UNAVAILABLE,
      details: 'connect refused',
      metadata: new Metadata(),
    });
    expect(GatehouseError.from(downstream)).toMatchObject({
      code: 'UNAVAILABLE',
      message: 'connect refused',
    });
    const leak = GatehouseError.from(new TypeError('cannot read secret_key of undefined'));
    expect(leak).toMatchObject({ code: 'INTERNAL', message: 'internal error' });
  });

  it('round-trips reason, field, metadata and retry delay through grpc-status-details-bin', () => {
    const error = new GatehouseError('RESOURCE_EXHAUSTED', 'budget of user:42 exhausted', {
      reason: 'BUDGET_EXHAUSTED',
      field: 'amount_micros',
      metadata: { scope: 'user:42', remaining_micros: '0' },
      retryAfterMs: 1500,
    });
    const sent = toStatusObject(error);
    expect(sent.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(sent.details).toBe('budget of user:42 exhausted');
    expect(readErrorDetails(sent.metadata)).toEqual({
      reason: 'BUDGET_EXHAUSTED',
      field: 'amount_micros',
      metadata: { scope: 'user:42', remaining_micros: '0', field: 'amount_micros' },
      fieldViolations: [{ field: 'amount_micros', description: 'budget of user:42 exhausted' }],
      retryAfterMs: 1500,
    });
  });

  it('sends no details trailer for a plain error', () => {
    const sent = toStatusObject(new GatehouseError('NOT_FOUND', 'no such key'));
    expect(sent.metadata.get('grpc-status-details-bin')).toEqual([]);
    expect(readErrorDetails(sent.metadata)).toEqual({ metadata: {}, fieldViolations: [] });
  });
});
