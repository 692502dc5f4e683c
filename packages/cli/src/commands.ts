import type { Command } from './command';
import { probeCommand } from './probe/probe-command';
import { upCommand } from './up/up-command';

/** Every `gatehouse` subcommand, in the order `gatehouse --help` lists them. */
export const commands: readonly Command[] = [upCommand, probeCommand];
