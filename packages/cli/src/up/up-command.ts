import type { CliContext, Command } from '../command';
import { usageExitCode } from '../command';
import { UsageError } from '../usage-error';
import { describeExit } from './child-exit';
import { planLaunches } from './launch-plan';
import { PrefixedOutput } from './prefixed-output';
import { withDevAdmin } from './dev-admin';
import { renderReadyTable } from './ready-table';
import { serviceCatalog } from './service-catalog';
import { StartFailure } from './start-failure';
import { Supervisor } from './supervisor';
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

  let signalled = false;
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  const unsubscribe = context.onStopSignal((signal) => {
    if (signalled) {
      stderr.write(`gatehouse up: ${signal} again: killing the services without waiting\n`);
      supervisor.kill();
      return;
    }
    signalled = true;
    stderr.write(`gatehouse up: ${signal} received: stopping the services (again to kill them)\n`);
    onSignal(signal);
    void supervisor.stop();
  });

  try {
    const startedAt = Date.now();
    const names = children.map((child) => child.name).join(', ');
    stdout.write(`gatehouse up: starting ${names}\n`);
    let ready;
    try {
      ready = await supervisor.start();
    } catch (error) {
      if (!(error instanceof StartFailure)) throw error;
      if (error.reason === 'stopped') return reportStopped(await supervisor.stop(), context);
      stderr.write(`\ngatehouse up: could not start the services; stopped the others.\n${error.message}\n`);
      return 1;
    }
    stdout.write(renderReadyTable(ready, Date.now() - startedAt));
    if (admin?.notice) stdout.write(`${admin.notice}\n\n`);

    const crash = await Promise.race([supervisor.unexpectedExit(), stopRequested.then(() => undefined)]);
    if (crash !== undefined) {
      stderr.write(`\ngatehouse up: ${crash.name} ${describeExit(crash.exit)}; stopping the others.\n`);
      if (crash.recentLines.length > 0) {
        stderr.write(
          `  last output of ${crash.name}:\n${crash.recentLines.map((line) => `    ${line}\n`).join('')}`,
        );
      }
      await supervisor.stop();
      return 1;
    }
    return reportStopped(await supervisor.stop(), context);
  } finally {
    unsubscribe();
    supervisor.kill();
  }
}

function reportStopped(report: { clean: boolean; killed: readonly string[] }, context: CliContext): number {
  if (report.killed.length > 0) {
    context.stderr.write(
      `gatehouse up: killed ${report.killed.join(', ')}: did not stop within the grace period\n`,
    );
  }
  if (!report.clean) {
    context.stderr.write('gatehouse up: stopped, but not every service stopped cleanly\n');
    return 1;
  }
  context.stdout.write('gatehouse up: all services stopped\n');
  return 0;
}
