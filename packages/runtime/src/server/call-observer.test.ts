import {
  credentials,
  Metadata,
  ServerInterceptingCall,
  status,
  type ServerInterceptor,
  type StatusObject,
} from '@grpc/grpc-js';
import { authV1, grpcHealthV1, grpcReflectionV1, serviceNames } from '@gatehouse/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../../test/support/capture-logs';
import { callError, unaryCall } from '../../../../test/support/grpc-call';
import { testCommonConfig } from '../../../../test/support/test-config';
import { GatehouseError } from '../errors/gatehouse-error';
import { createLogger } from '../logging/logger';
import { annotateCall } from './call-annotations';
import { hostedService } from './hosted-service';
import { startServiceHost, type ServiceHost } from './service-host';

const hosts: ServiceHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.shutdown()));
});

const service = hostedService(serviceNames.auth, authV1.AuthServiceService, {
  register: async (request, context) => {
    if (request.email === '') throw GatehouseError.invalidArgument('email', 'is required');
    annotateCall(context.metadata, { principal_subject: `user-for-${request.email}` });
    return { userId: context.requestId };
  },
  logout: async () => ({}),
});

/** Refuses Logout before any handler runs, as the authenticate and rateLimit guards refuse. */
const refuseLogout: ServerInterceptor = (descriptor, call) =>
  new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          if (!descriptor.path.endsWith('/Logout')) return nextMetadata(metadata);
          call.sendStatus({ code: status.PERMISSION_DENIED, details: 'refused by a guard' } as StatusObject);
        },
      });
    },
  });

const passThrough: ServerInterceptor = (_descriptor, call) => new ServerInterceptingCall(call);

async function startHost(interceptors: ServerInterceptor[]) {
  const logs = captureLogs();
  const logger = createLogger({ service: 'test', level: 'debug', destination: logs.stream });
  const host = await startServiceHost({
    config: testCommonConfig(),
    logger,
    services: [service],
    interceptors,
  });
  hosts.push(host);
  const address = `127.0.0.1:${host.grpcPort}`;
  const auth = new authV1.AuthServiceClient(address, credentials.createInsecure());
  const health = new grpcHealthV1.HealthClient(address, credentials.createInsecure());
  const reflection = new grpcReflectionV1.ServerReflectionClient(address, credentials.createInsecure());
  const rpcLines = () => logs.lines().filter((line) => line.msg === 'rpc');
  const metrics = async () => (await fetch(`http://127.0.0.1:${host.opsPort}/metrics`)).text();
  return { auth, health, reflection, rpcLines, metrics };
}

const handled = (method: string, type: string, code: string, count: number) =>
  `grpc_server_handled_total{grpc_service="gatehouse.auth.v1.AuthService",grpc_method="${method}",grpc_type="${type}",grpc_code="${code}",service="test"} ${count}`;

// Without interceptors the handler adapters observe calls; with any, an interceptor does. Both must
// give the same request ids, log lines and metrics.
describe.each([
  ['the handler adapters (no interceptors)', []],
  ['the observing interceptor (with another interceptor)', [passThrough]],
])('calls observed by %s', (_how, interceptors: ServerInterceptor[]) => {
  it('echoes the request id in the response headers and logs it with code, details and annotations', async () => {
    const { auth, rpcLines } = await startHost(interceptors);
    const headersOf = (email: string, metadata: Metadata) =>
      new Promise<string>((resolve) => {
        const call = auth.register({ email, password: 'p', displayName: 'd' }, metadata, () => undefined);
        call.on('metadata', (headers) => resolve(String(headers.get('x-request-id')[0])));
      });
    const sent = new Metadata();
    sent.set('x-request-id', 'req-7');
    expect(await headersOf('a@b.c', sent)).toBe('req-7');
    const generated = await headersOf('d@e.f', new Metadata());
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const failed = await callError(
      unaryCall(auth, auth.register, { email: '', password: 'p', displayName: 'd' }, new Metadata()),
    );
    expect(failed.code).toBe(status.INVALID_ARGUMENT);

    await expect.poll(() => rpcLines().length).toBe(3);
    expect(
      rpcLines().map((line) => [line.code, line.request_id, line.principal_subject, line.details]),
    ).toEqual([
      ['OK', 'req-7', 'user-for-a@b.c', undefined],
      ['OK', generated, 'user-for-d@e.f', undefined],
      ['INVALID_ARGUMENT', expect.stringMatching(/^[0-9a-f-]{36}$/), undefined, 'email: is required'],
    ]);
    expect(rpcLines()[0]).toMatchObject({ method: '/gatehouse.auth.v1.AuthService/Register', level: 'info' });
  });

  it('hands the handler the request id it logs', async () => {
    const { auth, rpcLines } = await startHost(interceptors);
    const sent = new Metadata();
    sent.set('x-request-id', 'req-handler');
    const answer = await unaryCall(
      auth,
      auth.register,
      { email: 'a@b.c', password: 'p', displayName: 'd' },
      sent,
    );
    expect(answer).toEqual({ userId: 'req-handler' });
    const fresh = await unaryCall<authV1.RegisterRequest, authV1.RegisterResponse>(
      auth,
      auth.register,
      { email: 'g@h.i', password: 'p', displayName: 'd' },
      new Metadata(),
    );
    await expect.poll(() => rpcLines().length).toBe(2);
    expect(rpcLines()[1]?.request_id).toBe(fresh.userId);
  });

  it('counts every outcome, unimplemented methods and reflection streams included', async () => {
    const { auth, reflection, metrics } = await startHost(interceptors);
    const register = (email: string) =>
      unaryCall(auth, auth.register, { email, password: 'p', displayName: 'd' }, new Metadata());
    await register('a@b.c');
    await register('d@e.f');
    await callError(register(''));
    await callError(unaryCall(auth, auth.login, { email: 'a@b.c', password: 'p' }, new Metadata()));
    const stream = reflection.serverReflectionInfo();
    const answered = new Promise((resolve) => stream.once('data', resolve));
    stream.write({ host: '', listServices: '' });
    await answered;
    stream.end();
    await new Promise((resolve) => stream.on('end', resolve).on('data', () => undefined));

    await expect
      .poll(metrics)
      .toContain(
        'grpc_server_handled_total{grpc_service="grpc.reflection.v1.ServerReflection",grpc_method="ServerReflectionInfo",grpc_type="bidi_stream",grpc_code="OK",service="test"} 1',
      );
    const text = await metrics();
    expect(text).toContain(handled('Register', 'unary', 'OK', 2));
    expect(text).toContain(handled('Register', 'unary', 'INVALID_ARGUMENT', 1));
    expect(text).toContain(handled('Login', 'unary', 'UNIMPLEMENTED', 1));
    expect(text).toContain(
      'grpc_server_started_total{grpc_service="gatehouse.auth.v1.AuthService",grpc_method="Register",grpc_type="unary",service="test"} 3',
    );
  });

  it('ends a server stream the caller cancels as CANCELLED, at debug for health', async () => {
    const { health, rpcLines, metrics } = await startHost(interceptors);
    const watch = health.watch({ service: serviceNames.auth });
    await new Promise((resolve) => watch.once('data', resolve));
    watch.on('error', () => undefined);
    watch.cancel();
    await expect
      .poll(() => rpcLines().map((line) => [line.method, line.code, line.level]))
      .toEqual([['/grpc.health.v1.Health/Watch', 'CANCELLED', 'debug']]);
    expect(await metrics()).toContain(
      'grpc_server_handled_total{grpc_service="grpc.health.v1.Health",grpc_method="Watch",grpc_type="server_stream",grpc_code="CANCELLED",service="test"} 1',
    );
  });
});

describe('with guard interceptors', () => {
  it('counts and logs the calls a guard refuses before any handler runs', async () => {
    const { auth, rpcLines, metrics } = await startHost([refuseLogout]);
    const refused = await callError(unaryCall(auth, auth.logout, { refreshToken: 'r' }, new Metadata()));
    expect(refused.code).toBe(status.PERMISSION_DENIED);
    await expect
      .poll(() => rpcLines().map((line) => [line.method, line.code, line.details]))
      .toEqual([['/gatehouse.auth.v1.AuthService/Logout', 'PERMISSION_DENIED', 'refused by a guard']]);
    expect(await metrics()).toContain(handled('Logout', 'unary', 'PERMISSION_DENIED', 1));
  });
});
