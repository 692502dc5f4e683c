import { ConfigError } from '@gatehouse/config';
import { budgetV1 } from '@gatehouse/contracts';
import { describe, expect, it } from 'vitest';
import { readCostBudgetConfig } from './config';

describe('readCostBudgetConfig', () => {
  it('has documented defaults', () => {
    const config = readCostBudgetConfig({});
    expect(config.timeZone).toBe('UTC');
    expect(config.defaultBudgets).toEqual({
      global: { limitMicros: 100_000_000n, period: budgetV1.Period.PERIOD_HOURLY },
      team: null,
      user: { limitMicros: 5_000_000n, period: budgetV1.Period.PERIOD_DAILY },
      apiKey: null,
    });
    expect(config.defaultReservationTtlSeconds).toBe(300);
    expect(config.overCommitPolicy).toBe('allow-and-flag');
    expect(config.expirySweepIntervalMs).toBe(1000);
    expect(config.idempotencyRetentionHours).toBe(24);
    expect(config.authAddress).toBe('127.0.0.1:50051');
    expect(Object.isFrozen(config.defaultBudgets)).toBe(true);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      readCostBudgetConfig({
        BUDGET_TIME_ZONE: 'Mars/Olympus',
        BUDGET_DEFAULT_USER: '5 dollars',
        BUDGET_DEFAULT_GLOBAL: '99999999999999999999/hourly',
        BUDGET_OVER_COMMIT_POLICY: 'shrug',
        BUDGET_IDEMPOTENCY_RETENTION_HOURS: '1',
        BUDGET_AUTH_ADDR: 'auth',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable);
    expect(variables.sort()).toEqual(
      [
        'BUDGET_AUTH_ADDR',
        'BUDGET_DEFAULT_GLOBAL',
        'BUDGET_DEFAULT_USER',
        'BUDGET_IDEMPOTENCY_RETENTION_HOURS',
        'BUDGET_OVER_COMMIT_POLICY',
        'BUDGET_TIME_ZONE',
      ].sort(),
    );
  });

  it('reads "none" as unlimited and a cap policy', () => {
    const config = readCostBudgetConfig({ BUDGET_DEFAULT_USER: 'none', BUDGET_OVER_COMMIT_POLICY: 'cap' });
    expect(config.defaultBudgets.user).toBeNull();
    expect(config.overCommitPolicy).toBe('cap');
  });
});
