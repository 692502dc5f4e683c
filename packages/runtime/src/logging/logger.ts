import { context, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from '@gatehouse/config';
import { redactSecrets } from './redact';

export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Short service name, on every line as `service`. */
  service: string;
  level: LogLevel;
  /** Where lines go; stdout when absent. Tests pass a stream to capture them. */
  destination?: DestinationStream;
}

/**
 * A pino JSON logger whose lines carry `trace_id` and `span_id` when written inside a span, and
 * never a password, token, API key or authorization header.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactSecrets(object) as Record<string, unknown>,
      },
      mixin: traceFields,
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

function traceFields(): Record<string, string> {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  if (spanContext === undefined || !trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
