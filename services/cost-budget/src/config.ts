import { EnvReader, readCommonConfig, type CommonConfig, type Env } from '@gatehouse/config';
import { parseDefaultBudget, type DefaultBudget, type DefaultBudgets } from './domain/default-budget';
import { overCommitPolicies, type OverCommitPolicy } from './domain/over-commit-policy';
import { assertTimeZone } from './domain/period-calendar';

/** Configuration of the cost-budget service. */
export interface CostBudgetConfig extends CommonConfig {
  /** BUDGET_TIME_ZONE, default UTC: the IANA zone periods are calendar-aligned in. */
  timeZone: string;
  defaultBudgets: DefaultBudgets;
  /** BUDGET_DEFAULT_RESERVATION_TTL_SECONDS, default 300: hold lifetime when a Reserve gives none. */
  defaultReservationTtlSeconds: number;
  /** BUDGET_MAX_RESERVATION_TTL_SECONDS, default 86400: longest hold a Reserve may ask for. */
  maxReservationTtlSeconds: number;
  /** BUDGET_OVER_COMMIT_POLICY, default allow-and-flag: a Commit above its hold is recorded in full, or capped. */
  overCommitPolicy: OverCommitPolicy;
  /** BUDGET_EXPIRY_SWEEP_INTERVAL_MS, default 1000: how often lapsed holds are returned. */
  expirySweepIntervalMs: number;
  /** BUDGET_IDEMPOTENCY_RETENTION_HOURS, default 24 (at least 24): how long idempotency keys are kept. */
  idempotencyRetentionHours: number;
  /** BUDGET_AUTH_ADDR, default 127.0.0.1:50051: the auth service that identifies callers of admin RPCs. */
  authAddress: string;
  /** BUDGET_AUTH_TIMEOUT_MS, default 2000: deadline of each Authenticate call. */
  authTimeoutMs: number;
  /** BUDGET_ADMIN_ROLE, default admin: the role that may manage budgets. */
  adminRole: string;
}

export function readCostBudgetConfig(env: Env): Readonly<CostBudgetConfig> {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader, { service: 'cost-budget', grpcPort: 50053, opsPort: 8083 });
  const defaultTtl = reader.integer('BUDGET_DEFAULT_RESERVATION_TTL_SECONDS', 300, {
    min: 1,
    max: 86_400 * 7,
  });
  const maxTtl = reader.integer('BUDGET_MAX_RESERVATION_TTL_SECONDS', 86_400, { min: 1, max: 86_400 * 7 });
  if (defaultTtl > maxTtl) {
    reader.fail(
      'BUDGET_DEFAULT_RESERVATION_TTL_SECONDS',
      `must not exceed BUDGET_MAX_RESERVATION_TTL_SECONDS (${maxTtl}), got ${defaultTtl}`,
    );
  }
  const authAddress = reader.string('BUDGET_AUTH_ADDR', '127.0.0.1:50051');
  if (!/^[^\s/]+:\d{1,5}$/.test(authAddress)) {
    reader.fail('BUDGET_AUTH_ADDR', `must be host:port, got ${JSON.stringify(authAddress)}`);
  }
  return reader.finish({
    ...common,
    timeZone: readTimeZone(reader),
    defaultBudgets: {
      global: readDefaultBudget(reader, 'BUDGET_DEFAULT_GLOBAL', '100000000/hourly'),
      team: readDefaultBudget(reader, 'BUDGET_DEFAULT_TEAM', 'none'),
      user: readDefaultBudget(reader, 'BUDGET_DEFAULT_USER', '5000000/daily'),
      apiKey: readDefaultBudget(reader, 'BUDGET_DEFAULT_API_KEY', 'none'),
    },
    defaultReservationTtlSeconds: defaultTtl,
    maxReservationTtlSeconds: maxTtl,
    overCommitPolicy: reader.oneOf('BUDGET_OVER_COMMIT_POLICY', overCommitPolicies, 'allow-and-flag'),
    expirySweepIntervalMs: reader.integer('BUDGET_EXPIRY_SWEEP_INTERVAL_MS', 1000, {
      min: 10,
      max: 3_600_000,
    }),
    idempotencyRetentionHours: reader.integer('BUDGET_IDEMPOTENCY_RETENTION_HOURS', 24, {
      min: 24,
      max: 24 * 366,
    }),
    authAddress,
    authTimeoutMs: reader.integer('BUDGET_AUTH_TIMEOUT_MS', 2000, { min: 50, max: 60_000 }),
    adminRole: reader.string('BUDGET_ADMIN_ROLE', 'admin'),
  });
}

function readTimeZone(reader: EnvReader): string {
  const timeZone = reader.string('BUDGET_TIME_ZONE', 'UTC');
  try {
    assertTimeZone(timeZone);
  } catch {
    reader.fail(
      'BUDGET_TIME_ZONE',
      `must be an IANA time zone such as UTC or Europe/Paris, got ${JSON.stringify(timeZone)}`,
    );
    return 'UTC';
  }
  return timeZone;
}

function readDefaultBudget(reader: EnvReader, name: string, fallback: string): DefaultBudget | null {
  const parsed = parseDefaultBudget(reader.string(name, fallback));
  if (typeof parsed === 'string') {
    reader.fail(name, parsed);
    return null;
  }
  return parsed;
}
