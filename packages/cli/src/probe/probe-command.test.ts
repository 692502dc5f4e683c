import { PassThrough } from 'node:stream';
import { serviceNames } from '@gatehouse/contracts';
import { createLogger, startServiceHost, type ServiceHost } from '@gatehouse/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCommonConfig } from '../../../../test/support/test-config';
import type { CliContext } from '../command';
import { probeCommand } from './probe-command';

let host: ServiceHost;
beforeAll(async () => {
  host = await startServiceHost({
    config: testCommonConfig(),
    logger: createLogger({ service: 'test', level: 'silent' }),
    services: [],
  });
});
afterAll(() => host.shutdown());

async function probe(...args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const context = {
    env: {},
    stdout,
    stderr,
    repoRoot: '',
    nodePath: '',
    onStopSignal: () => () => undefined,
  };
  const code = await probeCommand.run(args, context as CliContext);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('gatehouse probe', () => {
  it('exits 0 when the server is SERVING', async () => {
    const address = `127.0.0.1:${host.grpcPort}`;
    expect(await probe('--addr', address)).toEqual({ code: 0, stdout: `${address}: SERVING\n`, stderr: '' });
  });

  it('exits 1 naming what it saw for an unknown service or a closed port', async () => {
    const address = `127.0.0.1:${host.grpcPort}`;
    const unknown = await probe('--addr', address, '--service', serviceNames.auth);
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr: `${serviceNames.auth} at ${address}: NOT_FOUND: unknown service "${serviceNames.auth}"\n`,
    });
    const closed = await probe('--addr', '127.0.0.1:1', '--timeout', '500');
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/^127\.0\.0\.1:1: (UNAVAILABLE|DEADLINE_EXCEEDED): /);
  });

  it('exits 2 with usage when --addr is missing', async () => {
    const result = await probe();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: gatehouse probe --addr <host:port>');
  });

  it('exits 1 when the server reports NOT_SERVING', async () => {
    host.health.setAllNotServing();
    const address = `127.0.0.1:${host.grpcPort}`;
    expect(await probe('--addr', address)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${address}: NOT_SERVING\n`,
    });
  });
});
