import { Metadata } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import type { CliContext } from '../command';
import { CliFailure } from '../shared/cli-failure';
import { credentialMetadata, requireCredential } from '../shared/caller-credential';
import { commandGroup } from '../shared/command-group';
import {
  commaList,
  integerOption,
  requiredString,
  stringOption,
  type LeafInput,
  type LeafSpec,
} from '../shared/leaf-command';
import { withClient } from '../shared/open-client';
import { formatList, formatTime, renderTable, messageJson, toJson } from '../shared/output-format';
import { readPassword } from '../shared/read-password';
import { unaryCall } from '../shared/unary-call';
import { resolveUserId, withAuth } from './admin-call';
import { identitiesSpec, unlinkSpec } from './identities-specs';

/** The human view of users. */
export function renderUsers(users: readonly authV1.User[]): string {
  return renderTable(
    ['USER ID', 'EMAIL', 'NAME', 'ROLES', 'TIER', 'DISABLED', 'CREATED'],
    users.map((user) => [
      user.userId,
      user.email,
      user.displayName === '' ? '-' : user.displayName,
      formatList(user.roles),
      user.tier === '' ? '-' : user.tier,
      user.disabled ? 'yes' : 'no',
      formatTime(user.createdAt),
    ]),
  );
}

function writeUser(input: LeafInput, context: CliContext, user: authV1.User | undefined): number {
  if (user === undefined) throw new CliFailure('the auth service answered without the user');
  context.stdout.write(input.json ? toJson(messageJson(authV1.User, user)) : renderUsers([user]));
  return 0;
}

const createSpec: LeafSpec = {
  path: 'users create',
  summary: 'register a user (optionally give roles and a tier: admin)',
  service: 'auth',
  options: {
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', multiple: true },
    tier: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
  },
  help: `Usage: gatehouse users create --email <email> [--name <display name>] [--role <r>[,<r>…]] [--tier <tier>]
                              [--password-stdin]

Registers a user (Register). The password comes from standard input with --password-stdin, else from
$GATEHOUSE_PASSWORD. --role and --tier then set roles and tier, which needs an admin credential.

Options:
  --email <email>          the new user's email (required)
  --name <display name>    display name (default: the part of the email before the @)
  --role <r>[,<r>…]        roles to set (replaces the default roles), repeatable
  --tier <tier>            tier to set, e.g. free, pro
  --password-stdin         read the password from standard input
`,
  async run(input, context) {
    const email = requiredString(input.values, 'email');
    const roles = commaList(input.values, 'role');
    const tier = stringOption(input.values, 'tier');
    const password = await readPassword(input.values['password-stdin'] === true, context);
    const admin = roles.length > 0 || tier !== undefined;
    const metadata = admin
      ? credentialMetadata(requireCredential(input.tokenFlag, context.env))
      : new Metadata();
    return withClient(authV1.AuthServiceClient, input.target.address, async (client) => {
      // Register needs a display name; without --name, the part of the email before the @.
      const displayName = stringOption(input.values, 'name') ?? email.split('@')[0] ?? '';
      const { userId } = await unaryCall(
        client,
        client.register,
        { email, password, displayName },
        new Metadata(),
        input.target,
      );
      let user: authV1.User | undefined;
      if (roles.length > 0) {
        ({ user } = await unaryCall(client, client.setUserRoles, { userId, roles }, metadata, input.target));
      }
      if (tier !== undefined) {
        ({ user } = await unaryCall(client, client.setUserTier, { userId, tier }, metadata, input.target));
      }
      if (user !== undefined) return writeUser(input, context, user);
      context.stdout.write(input.json ? toJson({ userId, email }) : `Created user ${userId} (${email}).\n`);
      return 0;
    });
  },
};

const listSpec: LeafSpec = {
  path: 'users list',
  summary: 'list users (admin)',
  service: 'auth',
  options: { 'email-prefix': { type: 'string' }, limit: { type: 'string' } },
  help: `Usage: gatehouse users list [--email-prefix <prefix>] [--limit <n>]

Lists users, every page (ListUsers; needs an admin credential).

Options:
  --email-prefix <prefix>  only emails starting with this
  --limit <n>              at most n users (default: all)
`,
  async run(input, context) {
    const limit = integerOption(input.values, 'limit', Number.MAX_SAFE_INTEGER);
    const emailPrefix = stringOption(input.values, 'email-prefix') ?? '';
    const users = await withAuth(input, context, async (client, metadata) => {
      const found: authV1.User[] = [];
      let pageToken = '';
      do {
        const pageSize = Math.min(100, limit - found.length);
        const page = await unaryCall(
          client,
          client.listUsers,
          { pageSize, pageToken, emailPrefix },
          metadata,
          input.target,
        );
        found.push(...page.users);
        pageToken = page.nextPageToken;
      } while (pageToken !== '' && found.length < limit);
      return found.slice(0, limit);
    });
    context.stdout.write(
      input.json ? toJson(users.map((user) => messageJson(authV1.User, user))) : renderUsers(users),
    );
    return 0;
  },
};

const userArgument = '<user-id|email>';

const setRoleSpec: LeafSpec = {
  path: 'users set-role',
  summary: "replace a user's roles (admin)",
  service: 'auth',
  positionals: { min: 2, max: 2 },
  help: `Usage: gatehouse users set-role ${userArgument} <role>[,<role>…]

Replaces the user's roles (SetUserRoles; needs an admin credential), e.g. \`user,admin\`.
`,
  async run(input, context) {
    const [user = '', roleList = ''] = input.positionals;
    const roles = roleList
      .split(',')
      .map((role) => role.trim())
      .filter((role) => role !== '');
    return withAuth(input, context, async (client, metadata) => {
      const userId = await resolveUserId(client, metadata, input.target, user);
      const response = await unaryCall(
        client,
        client.setUserRoles,
        { userId, roles },
        metadata,
        input.target,
      );
      return writeUser(input, context, response.user);
    });
  },
};

const setTierSpec: LeafSpec = {
  path: 'users set-tier',
  summary: "set a user's tier (admin)",
  service: 'auth',
  positionals: { min: 2, max: 2 },
  help: `Usage: gatehouse users set-tier ${userArgument} <tier>

Sets the user's tier (SetUserTier; needs an admin credential), e.g. \`pro\`. Rate-limit rules and
budgets can depend on it.
`,
  async run(input, context) {
    const [user = '', tier = ''] = input.positionals;
    return withAuth(input, context, async (client, metadata) => {
      const userId = await resolveUserId(client, metadata, input.target, user);
      const response = await unaryCall(client, client.setUserTier, { userId, tier }, metadata, input.target);
      return writeUser(input, context, response.user);
    });
  },
};

function disabledSpec(disabled: boolean): LeafSpec {
  const verb = disabled ? 'disable' : 'enable';
  return {
    path: `users ${verb}`,
    summary: disabled
      ? 'disable a user: refused everywhere within 1 s (admin)'
      : 'enable a disabled user (admin)',
    service: 'auth',
    positionals: { min: 1, max: 1 },
    help: `Usage: gatehouse users ${verb} ${userArgument}

${disabled ? 'Disables the user: logins, tokens and API keys are refused' : 'Enables the user again'} (SetUserDisabled; needs an admin credential).
`,
    async run(input, context) {
      const [user = ''] = input.positionals;
      return withAuth(input, context, async (client, metadata) => {
        const userId = await resolveUserId(client, metadata, input.target, user);
        const response = await unaryCall(
          client,
          client.setUserDisabled,
          { userId, disabled },
          metadata,
          input.target,
        );
        return writeUser(input, context, response.user);
      });
    },
  };
}

export const usersSpecs: readonly LeafSpec[] = [
  createSpec,
  listSpec,
  setRoleSpec,
  setTierSpec,
  disabledSpec(true),
  disabledSpec(false),
  identitiesSpec,
  unlinkSpec,
];

export const usersCommand = commandGroup('users', 'manage users, roles and tiers', usersSpecs);
