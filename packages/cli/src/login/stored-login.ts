import type { authV1 } from '@gatehouse/contracts';
import type { CliContext } from '../command';
import { saveCredentials } from '../shared/credential-store';
import type { LeafInput } from '../shared/leaf-command';
import { formatTime, toJson } from '../shared/output-format';

/** Stores a login's token pair for later commands and says so (both ways of `gatehouse login`). */
export function storeLogin(
  input: LeafInput,
  context: CliContext,
  login: { email: string; pair: authV1.TokenPair; provider?: string },
): void {
  const { email, pair } = login;
  const expiresAt = new Date(Date.now() + Number(pair.expiresIn) * 1000);
  const path = saveCredentials(context.env, {
    email,
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: expiresAt.toISOString(),
    authAddress: input.target.address,
  });
  if (input.json) {
    const provider = login.provider === undefined ? {} : { provider: login.provider };
    context.stdout.write(
      toJson({ email, ...provider, credentialsPath: path, expiresAt: expiresAt.toISOString() }),
    );
  } else {
    const via = login.provider === undefined ? '' : ` with ${login.provider}`;
    context.stdout.write(
      `Logged in as ${email}${via}. Credentials saved to ${path} (access token expires ${formatTime(expiresAt)}).\n`,
    );
  }
}
