import { authV1 } from '@gatehouse/contracts';
import type { CliContext } from '../command';
import { CliFailure } from '../shared/cli-failure';
import { credentialMetadata } from '../shared/caller-credential';
import { credentialsPath, deleteCredentials, loadCredentials } from '../shared/credential-store';
import { leafCommand, type LeafInput, type LeafSpec } from '../shared/leaf-command';
import { withClient } from '../shared/open-client';
import { toJson } from '../shared/output-format';
import { unaryCall } from '../shared/unary-call';

export const logoutSpec: LeafSpec = {
  path: 'logout',
  summary: 'end the stored session and delete the stored tokens',
  service: 'auth',
  help: `Usage: gatehouse logout

Revokes the stored session at the auth service (Logout) and deletes the credentials file. The file
is deleted even when the auth service cannot be reached; the session then ends at its expiry.
`,
  run: runLogout,
};

export const logoutCommand = leafCommand(logoutSpec);

async function runLogout(input: LeafInput, context: CliContext): Promise<number> {
  const stored = loadCredentials(context.env);
  if (stored === undefined) {
    context.stdout.write(input.json ? toJson({ loggedOut: false }) : 'Not logged in.\n');
    return 0;
  }
  let revokeProblem: string | undefined;
  try {
    await withClient(authV1.AuthServiceClient, input.target.address, (client) =>
      unaryCall(
        client,
        client.logout,
        { refreshToken: stored.refreshToken },
        credentialMetadata({ value: stored.accessToken, source: 'login' }),
        input.target,
      ),
    );
  } catch (error) {
    if (!(error instanceof CliFailure)) throw error;
    revokeProblem = error.message;
  }
  const path = credentialsPath(context.env);
  deleteCredentials(context.env);
  if (input.json) context.stdout.write(toJson({ loggedOut: true, revoked: revokeProblem === undefined }));
  else context.stdout.write(`Logged out ${stored.email}; removed ${path}.\n`);
  if (revokeProblem !== undefined) {
    context.stderr.write(`gatehouse logout: the session could not be revoked: ${revokeProblem}\n`);
  }
  return 0;
}
