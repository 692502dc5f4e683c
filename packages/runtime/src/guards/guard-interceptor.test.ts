import {
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { grpcHealthV1 } from '@gatehouse/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { GatehouseError } from '../errors/gatehouse-error';
import { readErrorDetails } from '../errors/status-details';
import { admit, refuse } from './admission';
import { guardInterceptor, type CallEnd, type GuardedCall, type ServerGuard } from './guard-interceptor';

// grpc.health.v1 as the guarded service: Check behind the guard, List skipped by it.
const { HealthClient, HealthService } = grpcHealthV1;
const serving = grpcHealthV1.HealthCheckResponse_ServingStatus.SERVING;

interface Running {
  client: InstanceType<typeof HealthClient>;
  /** How often a handler ran, and the request metadata it saw last. */
  handled: { count: number; metadata?: Metadata };
  call(method: 'check' | 'list', metadata?: Metadata): Promise<{ reply: unknown; headers: Metadata }>;
  stop(): Promise<void>;
}

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A bare grpc-js server on 127.0.0.1:0 behind one guard; handlers answer after `handlerMs`. */
async function serve(guard: ServerGuard, handlerMs = 0): Promise<Running> {
  const handled: Running['handled'] = { count: 0 };
  const answer =
    (reply: object) => (call: ServerUnaryCall<unknown, unknown>, done: sendUnaryData<unknown>) => {
      handled.count += 1;
      handled.metadata = call.metadata;
      setTimeout(() => done(null, reply), handlerMs);
    };
  const server = new Server({
    interceptors: [guardInterceptor(guard, { skip: (method) => method === '/grpc.health.v1.Health/List' })],
  });
  server.addService(HealthService, { check: answer({ status: serving }), list: answer({ statuses: {} }) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const client = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
  running = {
    client,
    handled,
    call: (method, metadata = new Metadata()) =>
      new Promise((resolve, reject) => {
        let headers = new Metadata();
        const done = (error: ServiceError | null, reply?: unknown) =>
          error ? reject(error) : resolve({ reply, headers });
        const call =
          method === 'check'
            ? client.check({ service: '' }, metadata, done)
            : client.list({}, metadata, done);
        call.on('metadata', (received: Metadata) => (headers = received));
      }),
    stop: async () => {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
  return running;
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('the call was admitted');
    },
    (error: ServiceError) => error,
  );

describe('guardInterceptor', () => {
  it('admits at once or later, with the guard headers on the response', async () => {
    const headers = new Metadata();
    headers.set('x-guard', 'yes');
    const later = await serve(async () => admit({ headers }));
    const answer = await later.call('check');
    expect(answer.reply).toEqual({ status: serving });
    expect(answer.headers.get('x-guard')).toEqual(['yes']);
    await later.stop();
    const atOnce = await serve(() => admit());
    await expect(atOnce.call('check')).resolves.toMatchObject({ reply: { status: serving } });
    expect(atOnce.handled.count).toBe(1);
  });

  it('shows the guard the method, the peer and the very metadata the handler gets', async () => {
    const seen: GuardedCall[] = [];
    const peers: string[] = [];
    const server = await serve((call) => {
      seen.push(call);
      peers.push(call.peer);
      return admit();
    });
    const metadata = new Metadata();
    metadata.set('x-caller', 'ann');
    await server.call('check', metadata);
    expect(seen[0]!.method).toBe('/grpc.health.v1.Health/Check');
    expect(peers[0]).toMatch(/^(ipv4:)?127\.0\.0\.1:\d+$/);
    expect(seen[0]!.metadata.get('x-caller')).toEqual(['ann']);
    expect(server.handled.metadata).toBe(seen[0]!.metadata);
  });

  it('refuses with the error as a gRPC status, its details and the extra trailers; the handler never runs', async () => {
    const trailers = new Metadata();
    trailers.set('retry-after', '3');
    const server = await serve(async () =>
      refuse(
        new GatehouseError('RESOURCE_EXHAUSTED', 'over the limit', { reason: 'RATE_LIMITED' }),
        trailers,
      ),
    );
    const error = await refusal(server.call('check'));
    expect([error.code, error.details]).toEqual([status.RESOURCE_EXHAUSTED, 'over the limit']);
    expect(readErrorDetails(error.metadata).reason).toBe('RATE_LIMITED');
    expect(error.metadata.get('retry-after')).toEqual(['3']);
    expect(server.handled.count).toBe(0);
  });

  it('refuses what a guard throws or rejects with: a GatehouseError as itself, anything else INTERNAL', async () => {
    let failure: () => never = () => {
      throw new GatehouseError('UNAVAILABLE', 'auth is down', { reason: 'AUTH_UNAVAILABLE' });
    };
    const server = await serve(() => failure());
    const unavailable = await refusal(server.call('check'));
    expect([unavailable.code, unavailable.details]).toEqual([status.UNAVAILABLE, 'auth is down']);
    failure = () => {
      throw new TypeError('a bug with a secret in it');
    };
    const internal = await refusal(server.call('check'));
    expect([internal.code, internal.details]).toEqual([status.INTERNAL, 'internal error']);
    await server.stop();
    const rejecting = await serve(async () => Promise.reject(new RangeError('no')));
    expect((await refusal(rejecting.call('check'))).code).toBe(status.INTERNAL);
    expect(rejecting.handled.count).toBe(0);
  });

  it('never asks the guard about skipped methods', async () => {
    let asked = 0;
    const server = await serve(() => {
      asked += 1;
      return refuse(new GatehouseError('PERMISSION_DENIED', 'no'));
    });
    await expect(server.call('list')).resolves.toMatchObject({ reply: { statuses: {} } });
    expect(asked).toBe(0);
  });

  it('runs onEnd once, after the status was sent', async () => {
    const ends: CallEnd[] = [];
    const server = await serve(() => admit({ onEnd: (end) => ends.push(end) }));
    await server.call('check');
    await server.call('check');
    await new Promise((resolve) => setImmediate(resolve));
    expect(ends.map((end) => ('status' in end ? end.status.code : 'cancelled'))).toEqual([
      status.OK,
      status.OK,
    ]);
  });

  it('runs onEnd for a call cancelled while it runs, and for one cancelled while the guard decided', async () => {
    const ends: string[] = [];
    let decide: ((admission: ReturnType<typeof admit<CallEnd>>) => void) | undefined;
    let slow = false;
    const server = await serve(
      () =>
        slow
          ? new Promise((resolve) => (decide = resolve))
          : admit<CallEnd>({ onEnd: (end) => ends.push('status' in end ? 'status' : 'cancelled') }),
      60_000,
    );
    const running = server.client.check({ service: '' }, () => undefined);
    await until(() => server.handled.count === 1);
    running.cancel();
    await until(() => ends.length === 1);
    expect(ends).toEqual(['cancelled']);

    slow = true;
    const waiting = server.client.check({ service: '' }, () => undefined);
    await until(() => decide !== undefined);
    waiting.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    decide!(admit<CallEnd>({ onEnd: () => ends.push('given back') }));
    await until(() => ends.length === 2);
    expect(ends).toEqual(['cancelled', 'given back']);
    // The late admission did not start the handler of a call nobody waits for.
    expect(server.handled.count).toBe(1);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('condition not met within 2.5 s');
}
