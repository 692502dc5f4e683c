import type { Command } from './command';
import { budgetsCommand } from './budgets/budgets-command';
import { healthCommand } from './health/health-command';
import { keysCommand } from './keys/keys-command';
import { limitsCommand } from './limits/limits-command';
import { loginCommand } from './login/login-command';
import { logoutCommand } from './login/logout-command';
import { probeCommand } from './probe/probe-command';
import { signingKeysCommand } from './signing-keys/signing-keys-command';
import { tokenCommand } from './token/token-command';
import { upCommand } from './up/up-command';
import { usersCommand } from './users/users-command';

/** Every `gatehouse` subcommand, in the order `gatehouse --help` lists them. */
export const commands: readonly Command[] = [
  upCommand,
  healthCommand,
  loginCommand,
  logoutCommand,
  usersCommand,
  keysCommand,
  signingKeysCommand,
  limitsCommand,
  budgetsCommand,
  tokenCommand,
  probeCommand,
];
