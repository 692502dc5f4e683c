import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ChildSpec } from './managed-child';
import { PrefixedOutput } from './prefixed-output';
import type { ReadinessProbe } from './readiness-probe';
import { StartFailure } from './start-failure';
import { Supervisor, type StopReport, type SupervisorOptions } from './supervisor';

// A stand-in for a service: behaves as MODE says, announcing itself like a Gatehouse service does.
const fakeService = `
const mode = process.env.MODE;
const announce = () => console.log(JSON.stringify({
  level: 'info', time: new Date().toISOString(), service: process.env.NAME,
  grpc_port: Number(process.env.PORT), ops_port: Number(process.env.PORT) + 1, stores: { kv: 'memory' },
  msg: 'serving gRPC on 127.0.0.1:' + process.env.PORT,
}));
const stopped = () => console.log(JSON.stringify({
  level: 'info', time: new Date().toISOString(), service: process.env.NAME,
  in_flight: 2, drained: 2, cancelled: 0, drain_ms: 41, msg: 'stopped',
}));
setInterval(() => undefined, 1000);
if (mode === 'crash') { console.error('cannot open the data dir'); process.exit(3); }
if (mode === 'stubborn') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
else if (mode === 'fail-stop') process.on('SIGTERM', () => { console.error('closing the store failed'); process.exit(1); });
else process.on('SIGTERM', () => { console.log('bye'); stopped(); process.exit(0); });
if (mode !== 'silent') announce();
if (mode === 'die-later') setTimeout(() => process.exit(4), 300);
// Stops as a service does on a signal sent to it directly (systemd signals every process of a unit).
if (mode === 'self-stop') setTimeout(() => { stopped(); process.exit(0); }, 300);
`;

function fake(name: string, mode: string, port = 40000): ChildSpec {
  return {
    name,
    command: process.execPath,
    args: ['-e', fakeService],
    env: { MODE: mode, NAME: name, PORT: String(port), PATH: process.env.PATH ?? '' },
    healthService: `test.${name}.v1.Service`,
    grpcHost: '127.0.0.1',
    opsHost: '127.0.0.1',
  };
}

const readyAtOnce: ReadinessProbe = async () => undefined;

const outcomes = (report: StopReport) =>
  report.services.map((service) => `${service.name} ${service.outcome}`);

function supervisor(children: ChildSpec[], overrides: Partial<SupervisorOptions> = {}) {
  let written = '';
  const capture = () =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
  const stdout = capture();
  const stderr = capture();
  const output = new PrefixedOutput({ stdout, stderr, names: children.map((c) => c.name), color: false });
  const instance = new Supervisor({
    children,
    output,
    probe: readyAtOnce,
    startTimeoutMs: 5000,
    stopGraceMs: 2000,
    ...overrides,
  });
  return { supervisor: instance, output: () => written };
}

describe('Supervisor', () => {
  it('reports every service ready with its ports and stores, then stops them all cleanly', async () => {
    const { supervisor: s, output } = supervisor([
      fake('one', 'serve', 41000),
      fake('other', 'serve', 42000),
    ]);
    const ready = await s.start();
    expect(ready).toEqual([
      {
        name: 'one',
        grpcAddress: '127.0.0.1:41000',
        opsUrl: 'http://127.0.0.1:41001',
        grpcPort: 41000,
        opsPort: 41001,
        stores: { kv: 'memory' },
      },
      expect.objectContaining({ name: 'other', grpcAddress: '127.0.0.1:42000' }),
    ]);
    expect(await s.stop()).toEqual({
      clean: true,
      graceMs: 2000,
      services: ['one', 'other'].map((name) => ({
        name,
        outcome: 'stopped',
        exit: { code: 0, signal: null },
        drain: { inFlight: 2, drained: 2, cancelled: 0, drainMs: 41 },
        recentLines: expect.any(Array),
      })),
    });
    expect(output()).toContain('one   | bye\n');
    expect(output()).toContain('other | bye\n');
  });

  it('waits for the readiness probe of each service', async () => {
    const probed: string[] = [];
    const probe: ReadinessProbe = async (target) => {
      probed.push(`${target.name} ${target.grpcAddress} ${target.healthService}`);
    };
    const { supervisor: s } = supervisor([fake('one', 'serve', 41000)], { probe });
    await s.start();
    expect(probed).toEqual(['one 127.0.0.1:41000 test.one.v1.Service']);
    await s.stop();
  });

  it('fails the start naming a service that exits, with its exit code and last lines, and stops the rest', async () => {
    const { supervisor: s } = supervisor([fake('good', 'serve'), fake('bad', 'crash')]);
    const failure = await s.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StartFailure);
    const { reason, failed, message } = failure as StartFailure;
    expect(reason).toBe('exited');
    expect(failed.map((f) => [f.name, f.exit?.code])).toEqual([['bad', 3]]);
    expect(message).toBe(
      'bad exited with code 3 while starting\n  last output of bad:\n    cannot open the data dir',
    );
    expect(outcomes(await s.stop())).toEqual(['good stopped', 'bad ended']);
  });

  it('fails the start after the timeout, naming what each late service is waiting for', async () => {
    const neverReady: ReadinessProbe = (_target, signal, progress) => {
      progress('health Check answered NOT_SERVING');
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    };
    const { supervisor: s } = supervisor([fake('quiet', 'silent'), fake('slow', 'serve')], {
      probe: neverReady,
      startTimeoutMs: 3000,
    });
    const failure = (await s.start().catch((error: unknown) => error)) as StartFailure;
    expect(failure.reason).toBe('timeout');
    expect(failure.message).toBe(
      "quiet was not ready after 3 s: no 'serving' line yet\n  quiet wrote no output\n" +
        'slow was not ready after 3 s: health Check answered NOT_SERVING\n  last output of slow:\n' +
        `    ${failure.failed[1]?.recentLines[0]}`,
    );
    expect(failure.failed[1]?.recentLines[0]).toMatch(
      /^\d\d:\d\d:\d\d INFO {2}serving gRPC on 127.0.0.1:40000 /,
    );
  });

  it('reports a service that dies after the start', async () => {
    const { supervisor: s } = supervisor([fake('steady', 'serve'), fake('fragile', 'die-later')]);
    await s.start();
    const crash = await s.unexpectedExit();
    expect(crash.name).toBe('fragile');
    expect(crash.exit).toEqual({ code: 4, signal: null });
    const report = await s.stop();
    expect(report.clean).toBe(false);
    expect(outcomes(report)).toEqual(['steady stopped', 'fragile ended']);
  });

  it('kills a service that ignores SIGTERM once the grace period is over', async () => {
    const { supervisor: s, output } = supervisor([fake('stubborn', 'stubborn'), fake('polite', 'serve')], {
      stopGraceMs: 300,
    });
    await s.start();
    const report = await s.stop();
    expect(report.clean).toBe(false);
    expect(outcomes(report)).toEqual(['stubborn overran', 'polite stopped']);
    expect(report.services[0]?.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(output()).toContain('stubborn | ignoring SIGTERM');
  });

  it('kills at once, before the grace period, when asked to while stopping', async () => {
    const { supervisor: s } = supervisor([fake('stubborn', 'stubborn')], { stopGraceMs: 10_000 });
    await s.start();
    const stopping = s.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    s.kill();
    expect(outcomes(await stopping)).toEqual(['stubborn killed']);
  });

  it('reports a service that exits non-zero while stopping, with its last lines', async () => {
    const { supervisor: s } = supervisor([fake('leaky', 'fail-stop')]);
    await s.start();
    const report = await s.stop();
    expect(outcomes(report)).toEqual(['leaky failed']);
    expect(report.services[0]?.exit).toEqual({ code: 1, signal: null });
    expect(report.services[0]?.recentLines.at(-1)).toBe('closing the store failed');
  });

  it('counts a service that stopped on its own signal as part of a stop that follows within the window', async () => {
    const { supervisor: s } = supervisor([fake('steady', 'serve'), fake('direct', 'self-stop')], {
      signalWindowMs: 1000,
    });
    await s.start();
    let unexpected: string | undefined;
    void s.unexpectedExit().then((exit) => (unexpected = exit.name));
    await new Promise((resolve) => setTimeout(resolve, 600)); // 'direct' has stopped by now
    const report = await s.stop();
    expect(report.clean).toBe(true);
    expect(outcomes(report)).toEqual(['steady stopped', 'direct stopped']);
    expect(report.services[1]?.drain).toEqual({ inFlight: 2, drained: 2, cancelled: 0, drainMs: 41 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(unexpected).toBeUndefined();
  });

  it('reports a service that stopped on its own signal when no stop follows within the window', async () => {
    const { supervisor: s } = supervisor([fake('steady', 'serve'), fake('direct', 'self-stop')], {
      signalWindowMs: 200,
    });
    await s.start();
    const crash = await s.unexpectedExit();
    expect(crash).toMatchObject({ name: 'direct', exit: { code: 0, signal: null } });
    expect(outcomes(await s.stop())).toEqual(['steady stopped', 'direct ended']);
  });

  it('cancels a start in progress when asked to stop', async () => {
    const { supervisor: s } = supervisor([fake('quiet', 'silent')]);
    const starting = s.start().catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const report = await s.stop();
    expect(report.clean).toBe(true);
    expect(outcomes(report)).toEqual(['quiet stopped']);
    expect(((await starting) as StartFailure).reason).toBe('stopped');
  });
});
