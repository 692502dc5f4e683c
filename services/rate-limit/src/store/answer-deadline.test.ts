import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAnswerDeadline } from './answer-deadline';
import { StoreTimeoutError } from './store-timeout-error';

describe('withAnswerDeadline', () => {
  let server: Server;
  let port = 0;
  const accepted: Socket[] = [];
  beforeAll(async () => {
    server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    for (const socket of accepted) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('counts an answer that arrived while the process was busy past the deadline', async () => {
    const client: Socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    while (accepted.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const answer = new Promise<string>((resolve) => client.once('data', (chunk) => resolve(String(chunk))));
    const guarded = withAnswerDeadline(answer, 10, 'echo');
    accepted[0]?.write('pong');
    // Busy past the deadline: the answer waits unread in the socket while the timer expires.
    const until = performance.now() + 40;
    while (performance.now() < until);
    await expect(guarded).resolves.toBe('pong');
    client.destroy();
  });

  it('rejects with StoreTimeoutError when nothing comes, soon after the deadline', async () => {
    const started = performance.now();
    const never = new Promise<never>(() => undefined);
    await expect(withAnswerDeadline(never, 20, 'echo')).rejects.toBeInstanceOf(StoreTimeoutError);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(19);
    expect(elapsed).toBeLessThan(500);
  });

  it('passes a failure through unchanged', async () => {
    const failure = new Error('refused');
    await expect(withAnswerDeadline(Promise.reject(failure), 20, 'echo')).rejects.toBe(failure);
  });
});
