#!/usr/bin/env node
// The `gatehouse` command. The one place that touches the process: argv, env, streams, signals.
import { resolve } from 'node:path';
import { runCli } from './cli';
import type { CliContext } from './command';
import { commands } from './commands';

// SIGHUP: the terminal was closed. `gatehouse up`'s services run in sessions of their own, so
// without it they would outlive the supervisor.
const stopSignals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const context: CliContext = {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  // dist/main.js -> packages/cli -> packages -> the repository root.
  repoRoot: resolve(__dirname, '..', '..', '..'),
  nodePath: process.execPath,
  onStopSignal(listener) {
    for (const signal of stopSignals) process.on(signal, listener);
    return () => {
      for (const signal of stopSignals) process.off(signal, listener);
    };
  },
};

runCli({ argv: process.argv.slice(2), commands, context }).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(
      `gatehouse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
