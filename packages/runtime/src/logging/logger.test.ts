import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../../test/support/capture-logs';
import { createLogger } from './logger';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

describe('createLogger', () => {
  it('writes JSON lines with service, level label and ISO time', () => {
    const logs = captureLogs();
    createLogger({ service: 'auth', level: 'info', destination: logs.stream }).info(
      { user_id: 'u1' },
      'hello',
    );
    const [line] = logs.lines();
    expect(line).toMatchObject({ level: 'info', service: 'auth', user_id: 'u1', msg: 'hello' });
    expect(line?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('never lets a password, token, API key or authorization header reach the stream', () => {
    const logs = captureLogs();
    const logger = createLogger({ service: 'auth', level: 'info', destination: logs.stream });
    const secrets = [
      'Sup3r$ecret!',
      'eyJhbGciOiJFZERTQSJ9.payload.sig',
      'gh_live_abcdef0123456789',
      'Bearer tok',
    ];
    logger.info(
      {
        request: {
          email: 'ann@example.com',
          password: secrets[0],
          newPassword: secrets[0],
          nested: { refresh_token: secrets[1], list: [{ accessToken: secrets[1] }] },
        },
        metadata: { authorization: secrets[3], 'x-api-key': secrets[2] },
        apiKey: secrets[2],
        clientSecret: 'shh',
      },
      'login attempt',
    );
    const text = logs.text();
    for (const secret of [...secrets, 'shh']) expect(text).not.toContain(secret);
    expect(text).toContain('ann@example.com');
    expect(logs.lines()[0]).toMatchObject({
      request: { password: '[REDACTED]', nested: { refresh_token: '[REDACTED]' } },
      metadata: { authorization: '[REDACTED]', 'x-api-key': '[REDACTED]' },
    });
  });

  it('adds trace_id and span_id inside a span, and nothing outside', () => {
    const logs = captureLogs();
    const logger = createLogger({ service: 'auth', level: 'info', destination: logs.stream });
    const tracer = new BasicTracerProvider().getTracer('test');
    const span = tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    span.end();
    logger.info('outside');
    const [inside, outside] = logs.lines();
    expect(inside).toMatchObject({
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
    expect(inside?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(outside).not.toHaveProperty('trace_id');
  });
});
