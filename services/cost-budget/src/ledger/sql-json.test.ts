import { describe, expect, it } from 'vitest';
import { SqlJson, UnexpectedSqlJson } from './sql-json';
import { readUsageTarget } from './usage-key';

const target = {
  scope: { kind: 3, id: '42' },
  period: 2,
  periodStartMs: 1_767_225_600_000,
  periodEndMs: null,
  limitMicros: '9223372036854775807',
  unlimited: true,
  alertThresholds: [50, 80],
};

describe('reading the JSON the ledger SQL answers', () => {
  it('reads a target into typed values, int64 amounts exactly', () => {
    expect(readUsageTarget(target, 'answer.target')).toEqual({
      scope: { kind: 3, id: '42' },
      period: 2,
      periodStartMs: 1_767_225_600_000,
      periodEndMs: undefined,
      limitMicros: 9_223_372_036_854_775_807n,
      unlimited: true,
      alertThresholds: [50, 80],
    });
  });

  it('reads jsonb that arrived as text', () => {
    expect(SqlJson.parse('{"outcome": "missing"}', 'answer').string('outcome')).toBe('missing');
  });

  it.each([
    [{ ...target, limitMicros: 5 }, 'answer.target.limitMicros: expected an int64 as text, got 5'],
    [
      { ...target, limitMicros: '9223372036854775808' },
      'answer.target.limitMicros: expected an int64, got "9223372036854775808"',
    ],
    [{ ...target, scope: { kind: '3', id: '42' } }, 'answer.target.scope.kind: expected an integer, got "3"'],
    [{ ...target, periodEndMs: 1.5 }, 'answer.target.periodEndMs: expected an integer or null, got 1.5'],
    [
      { ...target, alertThresholds: [50, '80'] },
      'answer.target.alertThresholds[1]: expected an integer, got "80"',
    ],
    [{ ...target, unlimited: 'yes' }, 'answer.target.unlimited: expected true or false, got "yes"'],
    [[target], 'answer.target: expected an object, got'],
  ])('refuses a value of another shape, naming where (%#)', (value, message) => {
    expect(() => readUsageTarget(value, 'answer.target')).toThrow(UnexpectedSqlJson);
    expect(() => readUsageTarget(value, 'answer.target')).toThrow(
      `unexpected JSON from the ledger's SQL at ${message}`,
    );
  });
});
