import { constants } from 'node:os';
import { stopSignalListener, stopSignalWindowMs } from '@gatehouse/runtime/stop-signals';
import type { CliContext, Command } from '../command';
import { usageExitCode } from '../command';
import { UsageError } from '../usage-error';
import { describeExit } from './child-exit';
import { planLaunches } from './launch-plan';
import { PrefixedOutput } from './prefixed-output';
import { withDevAdmin } from './dev-admin';
import { renderReadyTable } from './ready-table';
import { startNotices } from './start-notices';
import { serviceCatalog } from './service-catalog';
import { StartFailure } from './start-failure';
import { summarizeStop } from './stop-summary';
import { Supervisor, type StopReport } from './supervisor';
import { readUpOptions, upUsage, type UpOptions } from './up-options';

/** `gatehouse up`: runs the whole cluster on this machine until Ctrl-C. */
export const upCommand: Command = {
  name: 'up',
  summary: 'start the Gatehouse services on this machine and stop them on Ctrl-C',
  async run(args, context) {
    let options: UpOptions;
    try {
      options = readUpOptions(args, context.env, serviceCatalog, context.stdout.isTTY === true);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      context.stderr.write(`gatehouse up: ${error.message}\n\n${upUsage}`);
      return usageExitCode;
    }
    if (options.help) {
      context.stdout.write(upUsage);
      return 0;
    }
    return runUp(options, context);
  },
};

/** Starts the services, prints where they are, and runs until a signal or a crash; resolves to the exit status. */
export async function runUp(options: UpOptions, context: CliContext): Promise<number> {
  const { stdout, stderr } = context;
  const admin = options.services.some((service) => service.name === 'auth')
    ? withDevAdmin(context.env)
    : undefined;
  const children = planLaunches({
    services: options.services,
    env: admin?.env ?? context.env,
    ephemeralPorts: options.ephemeralPorts,
    repoRoot: context.repoRoot,
    nodePath: context.nodePath,
  });
  const output = new PrefixedOutput({
    stdout,
    stderr,
    names: children.map((c) => c.name),
    color: options.color,
  });
  const supervisor = new Supervisor({
    children,
    output,
    startTimeoutMs: options.startTimeoutMs,
    stopGraceMs: options.stopGraceMs,
  });

  // One Ctrl-C reaches npm and this process together, and npm forwards its copy: signals within
  // stopSignalWindowMs are one stop. A signal after that kills what is still running.
  const startedAt = Date.now();
  let stopStartedAt = startedAt;
  let insisted: NodeJS.Signals | undefined;
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  const unsubscribe = context.onStopSignal(
    stopSignalListener({
      onStop: (signal) => {
        stopStartedAt = Date.now();
        // Stop first: when the terminal has gone (SIGHUP), writing may fail.
        void supervisor.stop();
        onSignal(signal);
        const again = signal === 'SIGINT' ? 'Ctrl-C' : signal;
        stderr.write(
          `gatehouse up: ${signal} received: stopping the services gracefully ` +
            `(${again} again after ${stopSignalWindowMs / 1000} s kills them)\n`,
        );
      },
      onInsist: (signal) => {
        if (insisted !== undefined) return;
        insisted = signal;
        stderr.write(`gatehouse up: ${signal} again: killing the services that are still stopping\n`);
        supervisor.kill();
      },
    }),
  );

  const report = (stop: StopReport): number => {
    const summary = summarizeStop(stop, {
      insisted,
      signalNumber: insisted === undefined ? undefined : constants.signals[insisted],
      elapsedMs: Date.now() - stopStartedAt,
    });
    for (const line of summary.stopped) stdout.write(`${line}\n`);
    for (const line of summary.problems) stderr.write(`${line}\n`);
    (summary.exitStatus === 0 ? stdout : stderr).write(`${summary.verdict}\n`);
    return summary.exitStatus;
  };

  try {
    const names = children.map((child) => child.name).join(', ');
    stdout.write(`gatehouse up: starting ${names}\n`);
    let ready;
    try {
      ready = await supervisor.start();
    } catch (error) {
      if (!(error instanceof StartFailure)) throw error;
      if (error.reason === 'stopped') return report(await supervisor.stop());
      stderr.write(`\ngatehouse up: could not start the services; stopped the others.\n${error.message}\n`);
      return 1;
    }
    stdout.write(renderReadyTable(ready, Date.now() - startedAt, startNotices(ready, admin?.notice)));

    const crash = await Promise.race([supervisor.unexpectedExit(), stopRequested.then(() => undefined)]);
    if (crash !== undefined) {
      stopStartedAt = Date.now();
      const how =
        crash.exit.code === 0
          ? 'stopped on a signal sent to it, not to gatehouse up'
          : describeExit(crash.exit);
      stderr.write(`\ngatehouse up: ${crash.name} ${how}; stopping the others.\n`);
      if (crash.recentLines.length > 0 && crash.exit.code !== 0) {
        stderr.write(
          `  last output of ${crash.name}:\n${crash.recentLines.map((line) => `    ${line}\n`).join('')}`,
        );
      }
      report(await supervisor.stop());
      return 1;
    }
    return report(await supervisor.stop());
  } finally {
    unsubscribe();
    supervisor.kill();
  }
}
