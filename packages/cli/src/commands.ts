import type { Command } from './command';
import { upCommand } from './up/up-command';

/** Every `gatehouse` subcommand, in the order `gatehouse --help` lists them. */
export const commands: readonly Command[] = [upCommand];
