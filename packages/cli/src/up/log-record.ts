/** One pino JSON log line, as a Gatehouse service writes it. */
export interface LogRecord {
  /** Lower-case level name: trace, debug, info, warn, error, fatal. */
  readonly level: string;
  /** The `time` field as written (ISO string or epoch milliseconds), if any. */
  readonly time: unknown;
  readonly msg: string;
  /** Every other field except pino's bookkeeping (service, pid, hostname, v). */
  readonly fields: Readonly<Record<string, unknown>>;
}

const numericLevels: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

const bookkeeping = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'v']);

/** Reads a pino JSON line; undefined for anything else (plain text, other JSON). */
export function parseLogRecord(line: string): LogRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  const level = typeof object.level === 'number' ? numericLevels[object.level] : object.level;
  if (typeof level !== 'string') return undefined;
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(object)) {
    if (!bookkeeping.has(key)) fields[key] = field;
  }
  const msg = typeof object.msg === 'string' ? object.msg : '';
  return { level: level.toLowerCase(), time: object.time, msg, fields };
}
