import { credentials, Metadata, status } from '@grpc/grpc-js';
import { authV1, grpcHealthV1, serviceNames } from '@gatehouse/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../../test/support/capture-logs';
import { callError, unaryCall } from '../../../../test/support/grpc-call';
import { rawCall } from '../../../../test/support/raw-call';
import { testCommonConfig } from '../../../../test/support/test-config';
import { GatehouseError } from '../errors/gatehouse-error';
import { readErrorDetails } from '../errors/status-details';
import { ServingStatus } from '../health/health-state';
import { createLogger } from '../logging/logger';
import { annotateCall } from './call-annotations';
import { hostedService } from './hosted-service';
import { startServiceHost, type ServiceHost, type ServiceHostOptions } from './service-host';

const hosts: ServiceHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.shutdown()));
});

let slowCallStarted = false;
let releaseSlowCall: () => void = () => undefined;

const authHandlers = hostedService(serviceNames.auth, authV1.AuthServiceService, {
  register: async (request) => {
    if (request.email === '') throw GatehouseError.invalidArgument('email', 'is required', 'EMAIL_REQUIRED');
    return { userId: `user-for-${request.email}` };
  },
  login: async () => {
    throw new Error('database password is hunter2');
  },
  logout: async (_request, context) => {
    annotateCall(context.metadata, { principal_subject: 'user-42' });
    return {};
  },
  whoAmI: async () => {
    await new Promise<void>((resolve) => {
      releaseSlowCall = resolve;
      slowCallStarted = true;
    });
    return { principal: undefined };
  },
});

async function startHost(options: Partial<ServiceHostOptions> = {}) {
  const logs = captureLogs();
  const logger = createLogger({ service: 'test', level: 'debug', destination: logs.stream });
  const host = await startServiceHost({
    config: testCommonConfig({ SHUTDOWN_GRACE_MS: '3000' }),
    logger,
    services: [authHandlers],
    ...options,
  });
  hosts.push(host);
  const address = `127.0.0.1:${host.grpcPort}`;
  const auth = new authV1.AuthServiceClient(address, credentials.createInsecure());
  const health = new grpcHealthV1.HealthClient(address, credentials.createInsecure());
  return { host, auth, health, logs };
}

describe('startServiceHost', () => {
  it('reports the server and each service SERVING over grpc.health.v1 Check and List', async () => {
    const { health } = await startHost();
    const check = (service: string) => unaryCall(health, health.check, { service }, new Metadata());
    expect(await check('')).toEqual({ status: ServingStatus.SERVING });
    expect(await check(serviceNames.auth)).toEqual({ status: ServingStatus.SERVING });
    const unknown = await callError(check('nope.Service'));
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(await unaryCall(health, health.list, {}, new Metadata())).toEqual({
      statuses: {
        '': { status: ServingStatus.SERVING },
        [serviceNames.auth]: { status: ServingStatus.SERVING },
      },
    });
  });

  it('maps a GatehouseError to its status with the field in rich details', async () => {
    const { auth } = await startHost();
    const error = await callError(
      unaryCall(auth, auth.register, { email: '', password: 'x', displayName: 'x' }, new Metadata()),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toBe('email: is required');
    const details = readErrorDetails(error.metadata);
    expect(details.reason).toBe('EMAIL_REQUIRED');
    expect(details.field).toBe('email');
    expect(details.fieldViolations).toEqual([{ field: 'email', description: 'email: is required' }]);
  });

  it('answers an unexpected error with a bare INTERNAL and logs the cause', async () => {
    const { auth, logs } = await startHost();
    const error = await callError(
      unaryCall(auth, auth.login, { email: 'a@b.c', password: 'pw' }, new Metadata()),
    );
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).toBe('internal error');
    const logged = logs.lines().find((line) => line.msg === 'unexpected error in handler');
    expect(logged?.method).toBe('/gatehouse.auth.v1.AuthService/Login');
  });

  it('answers UNIMPLEMENTED naming the method for handlers not built yet', async () => {
    const { auth } = await startHost();
    const error = await callError(unaryCall(auth, auth.getJwks, {}, new Metadata()));
    expect(error.code).toBe(status.UNIMPLEMENTED);
    expect(error.details).toBe('/gatehouse.auth.v1.AuthService/GetJwks is not implemented yet');
  });

  it('propagates a sane x-request-id, replaces a malformed one, and logs one line per call', async () => {
    const { auth, logs } = await startHost();
    const register = (metadata: Metadata) =>
      new Promise<string>((resolve, reject) => {
        const call = auth.register({ email: 'a@b.c', password: 'p', displayName: 'd' }, metadata, (error) => {
          if (error) reject(error);
        });
        call.on('metadata', (headers) => resolve(String(headers.get('x-request-id')[0])));
      });
    const sent = new Metadata();
    sent.set('x-request-id', 'req-123');
    expect(await register(sent)).toBe('req-123');
    const malformed = new Metadata();
    malformed.set('x-request-id', 'bad id with spaces');
    expect(await register(malformed)).toMatch(/^[0-9a-f-]{36}$/);
    const rpcLines = logs
      .lines()
      .filter((line) => line.msg === 'rpc' && line.method === '/gatehouse.auth.v1.AuthService/Register');
    expect(rpcLines.map((line) => [line.code, line.request_id, line.level])).toEqual([
      ['OK', 'req-123', 'info'],
      ['OK', expect.stringMatching(/^[0-9a-f-]{36}$/), 'info'],
    ]);
  });

  it('puts the principal subject a handler or interceptor annotated into the call log line', async () => {
    const { auth, logs } = await startHost();
    await unaryCall(auth, auth.logout, { refreshToken: 'secret-refresh' }, new Metadata());
    await unaryCall(auth, auth.register, { email: 'a@b.c', password: 'p', displayName: 'd' }, new Metadata());
    const rpcLines = logs.lines().filter((line) => line.msg === 'rpc' && line.method !== undefined);
    expect(rpcLines.map((line) => [line.method, line.principal_subject])).toEqual([
      ['/gatehouse.auth.v1.AuthService/Logout', 'user-42'],
      ['/gatehouse.auth.v1.AuthService/Register', undefined],
    ]);
    expect(JSON.stringify(logs.lines())).not.toContain('secret-refresh');
  });

  it('refuses bytes that are not a request message with INVALID_ARGUMENT naming the request', async () => {
    const { auth, health } = await startHost();
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    expect(await rawCall(auth, '/gatehouse.auth.v1.AuthService/Register', garbage)).toEqual({
      code: 'INVALID_ARGUMENT',
      details: expect.stringMatching(/^request: is not a valid message of the method's request type/),
    });
    expect(await rawCall(health, '/grpc.health.v1.Health/Check', garbage)).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    const registered = await unaryCall(
      auth,
      auth.register,
      { email: 'a@b.c', password: 'p', displayName: 'd' },
      new Metadata(),
    );
    expect(registered).toEqual({ userId: 'user-for-a@b.c' });
  });

  it('serves RED metrics, /livez and /readyz on the ops port', async () => {
    const { host, auth } = await startHost();
    await unaryCall(auth, auth.register, { email: 'a@b.c', password: 'p', displayName: 'd' }, new Metadata());
    const ops = `http://127.0.0.1:${host.opsPort}`;
    const metrics = await (await fetch(`${ops}/metrics`)).text();
    expect(metrics).toContain(
      'grpc_server_handled_total{grpc_service="gatehouse.auth.v1.AuthService",grpc_method="Register",grpc_type="unary",grpc_code="OK",service="test"} 1',
    );
    expect(metrics).toContain('grpc_server_handling_seconds_bucket');
    expect((await fetch(`${ops}/livez`)).status).toBe(200);
    const ready = await fetch(`${ops}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, status: 'ready', checks: [] });
    expect((await fetch(`${ops}/nope`)).status).toBe(404);
  });

  it('turns NOT_SERVING and /readyz 503 while a dependency fails, and back when it recovers', async () => {
    let databaseUp = false;
    const { host, health } = await startHost({
      readinessChecks: [
        {
          name: 'postgres',
          check: async () => {
            if (!databaseUp) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
          },
        },
      ],
    });
    const check = (service: string) => unaryCall(health, health.check, { service }, new Metadata());
    expect(await check(serviceNames.auth)).toEqual({ status: ServingStatus.NOT_SERVING });
    expect(await check('')).toEqual({ status: ServingStatus.SERVING });
    const notReady = await fetch(`http://127.0.0.1:${host.opsPort}/readyz`);
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { checks: { detail: string }[] }).checks[0]?.detail).toBe(
      'connect ECONNREFUSED 127.0.0.1:5432',
    );
    databaseUp = true;
    await host.readiness.refresh();
    expect(await check(serviceNames.auth)).toEqual({ status: ServingStatus.SERVING });
  });

  it('stays SERVING but reports degraded while a non-critical dependency fails', async () => {
    const { host, health } = await startHost({
      readinessChecks: [
        { name: 'postgres', check: async () => undefined },
        {
          name: 'redis',
          critical: false,
          check: async () => {
            throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
          },
        },
      ],
    });
    const check = await unaryCall(health, health.check, { service: serviceNames.auth }, new Metadata());
    expect(check).toEqual({ status: ServingStatus.SERVING });
    const readyz = await fetch(`http://127.0.0.1:${host.opsPort}/readyz`);
    expect(readyz.status).toBe(200);
    const body = (await readyz.json()) as {
      status: string;
      checks: { name: string; ok: boolean; critical: boolean }[];
    };
    expect(body.status).toBe('degraded');
    expect(body.checks.map(({ name, ok, critical }) => ({ name, ok, critical }))).toEqual([
      { name: 'postgres', ok: true, critical: true },
      { name: 'redis', ok: false, critical: false },
    ]);
  });

  it('drains gracefully: Watch sees NOT_SERVING, in-flight calls finish, new calls are refused', async () => {
    const { host, auth, health, logs } = await startHost();
    const watched: number[] = [];
    const watch = health.watch({ service: serviceNames.auth });
    watch.on('data', (message: grpcHealthV1.HealthCheckResponse) => watched.push(message.status));
    const watchEnded = new Promise<void>((resolve) => watch.on('end', resolve).on('error', () => resolve()));
    await expect.poll(() => watched).toEqual([ServingStatus.SERVING]);

    const inFlight = unaryCall(auth, auth.whoAmI, {}, new Metadata());
    await expect.poll(() => slowCallStarted).toBe(true);
    const stopped = host.shutdown();
    await watchEnded;
    expect(watched).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);

    const fresh = new authV1.AuthServiceClient(`127.0.0.1:${host.grpcPort}`, credentials.createInsecure());
    const refused = await callError(
      unaryCall(fresh, fresh.register, { email: 'a@b.c', password: 'p', displayName: 'd' }, new Metadata()),
    );
    expect(refused.code).toBe(status.UNAVAILABLE);

    releaseSlowCall();
    await expect(inFlight).resolves.toEqual({ principal: undefined });
    await stopped;
    // The watch and the slow call were in flight; both finished before the grace period.
    const stoppedLine = logs.lines().find((line) => line.msg === 'stopped');
    expect(stoppedLine).toMatchObject({ in_flight: 2, drained: 2, cancelled: 0 });
    expect(stoppedLine?.drain_ms).toBeGreaterThanOrEqual(0);
  });

  it('cancels the calls still running when the grace period is over, and says how many', async () => {
    const { host, auth, logs } = await startHost({ config: testCommonConfig({ SHUTDOWN_GRACE_MS: '200' }) });
    slowCallStarted = false;
    void unaryCall(auth, auth.whoAmI, {}, new Metadata()).catch(() => undefined);
    await expect.poll(() => slowCallStarted).toBe(true);
    await host.shutdown();
    const lines = logs.lines();
    expect(lines.find((line) => line.msg === 'grace period over: cancelling remaining calls')).toMatchObject({
      grace_ms: 200,
      cancelled: 1,
    });
    const stoppedLine = lines.find((line) => line.msg === 'stopped');
    expect(stoppedLine).toMatchObject({ in_flight: 1, drained: 0, cancelled: 1 });
    expect(stoppedLine?.drain_ms).toBeGreaterThanOrEqual(200);
    releaseSlowCall();
    auth.close();
  });
});
