import { authV1 } from '@gatehouse/contracts';
import { Metadata } from '@grpc/grpc-js';
import type { CliContext } from '../command';
import { leafCommand, stringOption, type LeafInput, type LeafSpec } from '../shared/leaf-command';
import { withClient } from '../shared/open-client';
import { readPassword } from '../shared/read-password';
import { unaryCall } from '../shared/unary-call';
import { UsageError } from '../usage-error';
import { runFederatedLogin } from './federated-login';
import { storeLogin } from './stored-login';

export const loginSpec: LeafSpec = {
  path: 'login',
  summary: 'log in (password or identity provider) and store the tokens in your config dir (0600)',
  service: 'auth',
  options: {
    email: { type: 'string' },
    'password-stdin': { type: 'boolean', default: false },
    provider: { type: 'string' },
    'no-browser': { type: 'boolean', default: false },
    port: { type: 'string' },
    wait: { type: 'string' },
  },
  help: `Usage: gatehouse login --email <email> [--password-stdin]
       gatehouse login --provider <name> [--no-browser] [--port <n>] [--wait <seconds>]

Logs in to the auth service and stores the token pair in $XDG_CONFIG_HOME/gatehouse/credentials.json
(or ~/.config/gatehouse/credentials.json), readable by you only. Later commands use it when
neither --token nor GATEHOUSE_TOKEN is given.

With --email, the password is read from standard input with --password-stdin, else from
$GATEHOUSE_PASSWORD; it is never taken as a flag value.

With --provider, you sign in at an identity provider the auth service is configured with (e.g.
google, github) in your browser: the command listens on http://127.0.0.1:<port>/callback for the
provider's redirect, prints the URL to open and opens it ($BROWSER, else the system's opener).
The auth service must allow http://127.0.0.1/callback in AUTH_FEDERATION_REDIRECT_URIS.

Options:
  --email <email>      the account
  --password-stdin     read the password from standard input
  --provider <name>    log in with this identity provider instead of a password
  --no-browser         only print the URL (open it on any browser of this machine)
  --port <n>           loopback port for the redirect (default 0: any free port)
  --wait <seconds>     how long to wait for the redirect (default 300)
`,
  run: runLogin,
};

export const loginCommand = leafCommand(loginSpec);

async function runLogin(input: LeafInput, context: CliContext): Promise<number> {
  const email = stringOption(input.values, 'email');
  const provider = stringOption(input.values, 'provider');
  if (email !== undefined && provider !== undefined) {
    throw new UsageError('--email and --provider cannot be used together');
  }
  if (provider !== undefined && provider !== '') return runFederatedLogin(input, context, provider);
  if (email === undefined || email === '') throw new UsageError('--email or --provider is required');
  const password = await readPassword(input.values['password-stdin'] === true, context);
  const pair = await withClient(authV1.AuthServiceClient, input.target.address, (client) =>
    unaryCall(client, client.login, { email, password }, new Metadata(), input.target),
  );
  storeLogin(input, context, { email, pair });
  return 0;
}
