import { EnvReader, readCommonConfig, type CommonConfig, type Env } from '@gatehouse/config';

export interface NotesConfig extends CommonConfig {
  notes: NotesSettings;
}

export interface NotesSettings {
  /** NOTES_AUTH_ADDR, default 127.0.0.1:50051. */
  authAddress: string;
  /** NOTES_RATE_LIMIT_ADDR, default 127.0.0.1:50052; "off" serves without rate limits. */
  rateLimitAddress: string | undefined;
  /** NOTES_RATE_LIMIT_DOMAIN, default "gatehouse" (the shipped rules). */
  rateLimitDomain: string;
  /** NOTES_RATE_LIMIT_FAIL_OPEN, default true: serve when the rate-limit service cannot answer. */
  rateLimitFailOpen: boolean;
  /** NOTES_RATE_LIMIT_TIMEOUT_MS, default 50. */
  rateLimitTimeoutMs: number;
  /** NOTES_BUDGET_ADDR, default 127.0.0.1:50053; "off" serves Summarize without budgets. */
  budgetAddress: string | undefined;
  /** NOTES_SUMMARIZE_ESTIMATE_MICROS, default 5000: reserved per Summarize. */
  summarizeEstimateMicros: number;
  /** NOTES_SUMMARIZE_MICROS_PER_NOTE, default 100: the actual cost per note summarized. */
  summarizeMicrosPerNote: number;
  /** NOTES_AUTH_CACHE_MAX_AGE_MS, default 1000: the revocation bound of the verification cache. */
  authCacheMaxAgeMs: number;
  /** NOTES_MAX_PER_AUTHOR, default 1000: notes kept in memory per author (the oldest are dropped). */
  maxNotesPerAuthor: number;
}

const hostPort = /^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

/** The example's configuration: NOTES_GRPC_PORT (default 50060) and NOTES_OPS_PORT (8090) besides the common variables. */
export function readNotesConfig(env: Env): NotesConfig {
  const reader = new EnvReader(env);
  const common = readCommonConfig(reader, { service: 'notes', grpcPort: 50060, opsPort: 8090 });
  const address = (name: string, fallback: string, optional: boolean) => {
    const value = reader.string(name, fallback);
    if (optional && value === 'off') return undefined;
    if (!hostPort.test(value))
      reader.fail(name, `must be host:port${optional ? ' or off' : ''}, got ${JSON.stringify(value)}`);
    return value;
  };
  const notes: NotesSettings = {
    authAddress: address('NOTES_AUTH_ADDR', '127.0.0.1:50051', false) ?? '',
    rateLimitAddress: address('NOTES_RATE_LIMIT_ADDR', '127.0.0.1:50052', true),
    rateLimitDomain: reader.string('NOTES_RATE_LIMIT_DOMAIN', 'gatehouse'),
    rateLimitFailOpen: reader.boolean('NOTES_RATE_LIMIT_FAIL_OPEN', true),
    rateLimitTimeoutMs: reader.integer('NOTES_RATE_LIMIT_TIMEOUT_MS', 50, { min: 1, max: 10_000 }),
    budgetAddress: address('NOTES_BUDGET_ADDR', '127.0.0.1:50053', true),
    summarizeEstimateMicros: reader.integer('NOTES_SUMMARIZE_ESTIMATE_MICROS', 5000, { min: 1 }),
    summarizeMicrosPerNote: reader.integer('NOTES_SUMMARIZE_MICROS_PER_NOTE', 100, { min: 0 }),
    authCacheMaxAgeMs: reader.integer('NOTES_AUTH_CACHE_MAX_AGE_MS', 1000, { min: 0, max: 60_000 }),
    maxNotesPerAuthor: reader.integer('NOTES_MAX_PER_AUTHOR', 1000, { min: 1, max: 100_000 }),
  };
  return reader.finish({
    ...common,
    grpcPort: reader.port('NOTES_GRPC_PORT', common.grpcPort),
    opsPort: reader.port('NOTES_OPS_PORT', common.opsPort),
    notes,
  });
}
