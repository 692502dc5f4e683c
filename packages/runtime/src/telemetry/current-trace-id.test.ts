import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { currentTraceId } from './current-trace-id';

describe('currentTraceId', () => {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  afterAll(() => {
    context.disable();
  });

  it('is empty outside a span and the span trace id inside one', () => {
    expect(currentTraceId()).toBe('');
    const tracer = new BasicTracerProvider().getTracer('test');
    const span = tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => {
      expect(currentTraceId()).toBe(span.spanContext().traceId);
      expect(currentTraceId()).toMatch(/^[0-9a-f]{32}$/);
    });
    span.end();
  });
});
