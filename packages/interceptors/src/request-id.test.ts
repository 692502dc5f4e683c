import { Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentRequestId, inRequest, requestId } from './request-id';
import { startEchoServer, type EchoServer } from './test-support/echo-server';

describe('requestId client interceptor', () => {
  let server: EchoServer;
  beforeAll(async () => {
    server = await startEchoServer([], [requestId()]);
  });
  afterAll(() => server?.stop());

  it('sends the current request id set by inRequest', async () => {
    const { reply } = await inRequest('req-123', () => {
      expect(currentRequestId()).toBe('req-123');
      return server.call('Echo');
    });
    expect(reply.requestId).toBe('req-123');
  });

  it('keeps an id already in the metadata', async () => {
    const metadata = new Metadata();
    metadata.set('x-request-id', 'explicit-1');
    const { reply } = await inRequest('req-ignored', () => server.call('Echo', metadata));
    expect(reply.requestId).toBe('explicit-1');
  });

  it('generates one outside any request', async () => {
    const { reply } = await server.call('Echo');
    expect(reply.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
