import { authV1 } from '@gatehouse/contracts';
import { Metadata } from '@grpc/grpc-js';
import type { CliContext } from '../command';
import { saveCredentials } from '../shared/credential-store';
import { leafCommand, requiredString, type LeafInput, type LeafSpec } from '../shared/leaf-command';
import { withClient } from '../shared/open-client';
import { formatTime, toJson } from '../shared/output-format';
import { readPassword } from '../shared/read-password';
import { unaryCall } from '../shared/unary-call';

export const loginSpec: LeafSpec = {
  path: 'login',
  summary: 'log in and store the tokens in your config dir (0600)',
  service: 'auth',
  options: {
    email: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
  },
  help: `Usage: gatehouse login --email <email> [--password-stdin]

Logs in to the auth service and stores the token pair in $XDG_CONFIG_HOME/gatehouse/credentials.json
(or ~/.config/gatehouse/credentials.json), readable by you only. Later commands use it when
neither --token nor GATEHOUSE_TOKEN is given.

The password is read from standard input with --password-stdin, else from $GATEHOUSE_PASSWORD;
it is never taken as a flag value.

Options:
  --email <email>      the account (required)
  --password-stdin     read the password from standard input
`,
  run: runLogin,
};

export const loginCommand = leafCommand(loginSpec);

async function runLogin(input: LeafInput, context: CliContext): Promise<number> {
  const email = requiredString(input.values, 'email');
  const password = await readPassword(input.values['password-stdin'] === true, context);
  const pair = await withClient(authV1.AuthServiceClient, input.target.address, (client) =>
    unaryCall(client, client.login, { email, password }, new Metadata(), input.target),
  );
  const expiresAt = new Date(Date.now() + Number(pair.expiresIn) * 1000);
  const path = saveCredentials(context.env, {
    email,
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: expiresAt.toISOString(),
    authAddress: input.target.address,
  });
  if (input.json) {
    context.stdout.write(toJson({ email, credentialsPath: path, expiresAt: expiresAt.toISOString() }));
  } else {
    context.stdout.write(
      `Logged in as ${email}. Credentials saved to ${path} (access token expires ${formatTime(expiresAt)}).\n`,
    );
  }
  return 0;
}
