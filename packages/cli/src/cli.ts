import { usageExitCode, type CliContext, type Command } from './command';

export interface RunCliOptions {
  /** The arguments after `gatehouse`. */
  argv: readonly string[];
  /** The subcommands, in the order `--help` lists them. */
  commands: readonly Command[];
  context: CliContext;
}

/** Dispatches `gatehouse <command> [args]` to one of `commands`; resolves to the exit status. */
export async function runCli(options: RunCliOptions): Promise<number> {
  const { argv, commands, context } = options;
  const [name, ...rest] = argv;
  if (name === undefined) {
    context.stderr.write(usage(commands));
    return usageExitCode;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    context.stdout.write(usage(commands));
    return 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    context.stderr.write(`gatehouse: unknown command ${JSON.stringify(name)}\n\n${usage(commands)}`);
    return usageExitCode;
  }
  return command.run(rest, context);
}

/** The top-level help text. */
export function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'Usage: gatehouse <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `gatehouse <command> --help` for the options of one command.',
    '',
  ].join('\n');
}
