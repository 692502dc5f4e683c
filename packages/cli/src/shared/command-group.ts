import { usageExitCode, type Command } from '../command';
import { runLeaf, type LeafSpec } from './leaf-command';

/** `gatehouse <name> <subcommand> …`: dispatches to one of `leaves` (their path's last word). */
export function commandGroup(name: string, summary: string, leaves: readonly LeafSpec[]): Command {
  const subcommand = (leaf: LeafSpec) => leaf.path.slice(name.length + 1);
  const usage = () => {
    const width = Math.max(...leaves.map((leaf) => subcommand(leaf).length));
    return [
      `Usage: gatehouse ${name} <command> [options]`,
      '',
      `${summary[0]?.toUpperCase()}${summary.slice(1)}.`,
      '',
      'Commands:',
      ...leaves.map((leaf) => `  ${subcommand(leaf).padEnd(width)}  ${leaf.summary}`),
      '',
      `Run \`gatehouse ${name} <command> --help\` for its options.`,
      '',
    ].join('\n');
  };
  return {
    name,
    summary,
    async run(args, context) {
      const [first, ...rest] = args;
      if (first === '--help' || first === '-h' || first === 'help') {
        context.stdout.write(usage());
        return 0;
      }
      const leaf = leaves.find((candidate) => subcommand(candidate) === first);
      if (leaf === undefined) {
        const problem = first === undefined ? 'missing command' : `unknown command ${JSON.stringify(first)}`;
        context.stderr.write(`gatehouse ${name}: ${problem}\n\n${usage()}`);
        return usageExitCode;
      }
      return runLeaf(leaf, rest, context);
    },
  };
}
