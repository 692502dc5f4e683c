import { ansi, paint, type AnsiCode } from './ansi';
import { parseLogRecord, type LogRecord } from './log-record';

export interface LogStyle {
  /** Colour levels, times and field names with ANSI codes. */
  color: boolean;
}

const levelColors: Readonly<Record<string, AnsiCode>> = {
  trace: ansi.gray,
  debug: ansi.gray,
  info: ansi.green,
  warn: ansi.yellow,
  error: ansi.red,
  fatal: ansi.brightRed,
};

/**
 * Turns one line of a service's output into readable text: a pino JSON line becomes
 * `10:52:41 INFO  message key=value ...` (time in UTC, as logged), followed by the stack of an
 * error at level error or fatal; any other line is returned unchanged. Never throws.
 */
export function formatLogLine(line: string, style: LogStyle): string[] {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const record = parseLogRecord(text);
  return record === undefined ? [text] : formatLogRecord(record, style);
}

export function formatLogRecord(record: LogRecord, style: LogStyle): string[] {
  const { color } = style;
  const [firstMessageLine = '', ...moreMessageLines] = record.msg.split('\n');
  const level = paint(record.level.toUpperCase().padEnd(5), color, levelColors[record.level] ?? ansi.bold);
  const fields = Object.entries(record.fields)
    .map(([key, value]) => [key, key === 'err' ? errorSummary(value) : value] as const)
    // An error whose message the log message already quotes is not repeated.
    .filter(([key, value]) => !(key === 'err' && typeof value === 'string' && record.msg.includes(value)))
    .map(([key, value]) => `${paint(`${key}=`, color, ansi.dim)}${formatValue(value)}`);
  const head = [paint(clockTime(record.time), color, ansi.dim), level, firstMessageLine, ...fields]
    .filter((part) => part !== '')
    .join(' ');
  const stack = record.level === 'error' || record.level === 'fatal' ? stackLines(record.fields.err) : [];
  return [head, ...moreMessageLines.map((line) => `  ${line}`), ...stack];
}

/** HH:MM:SS (UTC) of a pino `time` field, or --:--:-- when there is none. */
function clockTime(time: unknown): string {
  const millis = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : Number.NaN;
  return Number.isFinite(millis) ? new Date(millis).toISOString().slice(11, 19) : '--:--:--';
}

/** Bare when that cannot be misread, JSON otherwise. */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"'=\\]+$/.test(value) ? value : JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}

/** A serialized error is shown by its message; its stack follows on lines of its own. */
function errorSummary(value: unknown): unknown {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { message?: unknown }).message === 'string'
  ) {
    return (value as { message: string }).message;
  }
  return value;
}

function stackLines(err: unknown): string[] {
  if (err === null || typeof err !== 'object') return [];
  const stack = (err as { stack?: unknown }).stack;
  if (typeof stack !== 'string') return [];
  // The first line repeats "Error: message", already shown.
  return stack
    .split('\n')
    .slice(1)
    .map((line) => `    ${line.trim()}`);
}
