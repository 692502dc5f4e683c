import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDeadline, retryOnUnavailable } from './client-policies';

const codec = {
  requestSerialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  requestDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
  responseSerialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  responseDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
};
const definition: ServiceDefinition = {
  Flaky: {
    path: '/test.Policies/Flaky',
    requestStream: false,
    responseStream: false,
    originalName: 'Flaky',
    ...codec,
  },
  Slow: {
    path: '/test.Policies/Slow',
    requestStream: false,
    responseStream: false,
    originalName: 'Slow',
    ...codec,
  },
};

describe('client policies', () => {
  const server = new Server();
  let address = '';
  let flakyCalls = 0;

  beforeAll(async () => {
    server.addService(definition, {
      Flaky: (_call: unknown, callback: (error: Partial<ServiceError> | null, value?: unknown) => void) => {
        flakyCalls += 1;
        if (flakyCalls % 3 !== 0) callback({ code: status.UNAVAILABLE, details: 'try again' });
        else callback(null, { attempt: flakyCalls });
      },
      Slow: (_call: unknown, callback: (error: null, value: unknown) => void) => {
        setTimeout(() => callback(null, {}), 500);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => server.forceShutdown());

  const Client = makeGenericClientConstructor(definition, 'Policies');
  const call = (client: InstanceType<typeof Client>, method: 'Flaky' | 'Slow') =>
    new Promise<unknown>((resolve, reject) =>
      client.makeUnaryRequest(
        definition[method]!.path,
        codec.requestSerialize,
        codec.responseDeserialize,
        {},
        new Metadata(),
        {},
        (error: ServiceError | null, value?: unknown) => (error ? reject(error) : resolve(value)),
      ),
    );

  it('retries an idempotent method on UNAVAILABLE with backoff', async () => {
    const client = new Client(address, credentials.createInsecure(), {
      ...retryOnUnavailable({ methods: ['test.Policies/Flaky'], maxAttempts: 3, initialBackoffMs: 10 }),
    });
    flakyCalls = 0;
    await expect(call(client, 'Flaky')).resolves.toEqual({ attempt: 3 });
    client.close();
  });

  it('does not retry methods it was not told are idempotent', async () => {
    const client = new Client(address, credentials.createInsecure(), {
      ...retryOnUnavailable({ methods: ['test.Policies/Other'] }),
    });
    flakyCalls = 0;
    await expect(call(client, 'Flaky')).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(flakyCalls).toBe(1);
    client.close();
  });

  it('gives calls without a deadline the default one', async () => {
    const client = new Client(address, credentials.createInsecure(), {
      interceptors: [defaultDeadline(100)],
    });
    await expect(call(client, 'Slow')).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    client.close();
  });
});
