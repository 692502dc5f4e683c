import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli';
import type { CliContext, Command } from './command';

function context() {
  const text = { stdout: '', stderr: '' };
  const capture = (into: keyof typeof text) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        text[into] += chunk.toString();
        done();
      },
    });
  const stdout = capture('stdout');
  const stderr = capture('stderr');
  const value: CliContext = {
    env: {},
    stdout,
    stderr,
    repoRoot: '/nowhere',
    nodePath: process.execPath,
    onStopSignal: () => () => undefined,
  };
  return { value, text };
}

const calls: string[][] = [];
const commands: Command[] = [
  {
    name: 'greet',
    summary: 'say hello',
    run: async (args) => {
      calls.push([...args]);
      return 0;
    },
  },
  { name: 'fail', summary: 'always fails', run: async () => 3 },
];

describe('runCli', () => {
  it('runs the named command with the arguments after it and returns its status', async () => {
    const { value } = context();
    expect(await runCli({ argv: ['greet', '--loud', 'x'], commands, context: value })).toBe(0);
    expect(calls).toEqual([['--loud', 'x']]);
    expect(await runCli({ argv: ['fail'], commands, context: value })).toBe(3);
  });

  it('prints usage listing every command for --help', async () => {
    const { value, text } = context();
    expect(await runCli({ argv: ['--help'], commands, context: value })).toBe(0);
    expect(text.stdout).toContain('Usage: gatehouse <command> [options]');
    expect(text.stdout).toContain('  greet  say hello\n  fail   always fails\n');
  });

  it('exits 2 with the usage on stderr for an unknown or missing command', async () => {
    const unknown = context();
    expect(await runCli({ argv: ['deploy'], commands, context: unknown.value })).toBe(2);
    expect(unknown.text.stderr).toMatch(/^gatehouse: unknown command "deploy"\n\nUsage: gatehouse/);
    const missing = context();
    expect(await runCli({ argv: [], commands, context: missing.value })).toBe(2);
    expect(missing.text.stderr).toContain('Usage: gatehouse');
  });
});
