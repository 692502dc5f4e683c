import { authV1 } from '@gatehouse/contracts';
import { Metadata } from '@grpc/grpc-js';
import type { CliContext } from '../command';
import { decodeJwt } from '../token/decode-jwt';
import { CliFailure } from '../shared/cli-failure';
import { integerOption, type LeafInput } from '../shared/leaf-command';
import { withClient } from '../shared/open-client';
import { unaryCall } from '../shared/unary-call';
import { UsageError } from '../usage-error';
import { startLoopbackReceiver } from './loopback-receiver';
import { openBrowser } from './open-browser';
import { storeLogin } from './stored-login';

/**
 * `gatehouse login --provider NAME`: a loopback redirect (like `gcloud auth login`). Listens on
 * 127.0.0.1, begins the login with that redirect URI, opens the browser (the URL is printed in
 * any case), waits for the provider to send the browser back, and completes the login with the
 * code and state it brought. The auth service holds the PKCE verifier and nonce; this command
 * only relays, and accepts only the redirect carrying the state its own login began with.
 */
export async function runFederatedLogin(
  input: LeafInput,
  context: CliContext,
  provider: string,
): Promise<number> {
  const port = integerOption(input.values, 'port', 0);
  if (port > 65535) throw new UsageError('--port must be at most 65535');
  const waitSeconds = integerOption(input.values, 'wait', 300);
  if (waitSeconds < 1) throw new UsageError('--wait must be at least 1 (seconds)');
  const receiver = await startLoopbackReceiver(port);
  try {
    return await withClient(authV1.AuthServiceClient, input.target.address, async (client) => {
      const begun = await unaryCall(
        client,
        client.beginFederatedLogin,
        { provider, redirectUri: receiver.redirectUri },
        new Metadata(),
        input.target,
      );
      context.stderr.write(
        `Sign in with ${provider} in your browser. If it does not open, visit:\n\n  ${begun.authorizationUrl}\n\n` +
          `Waiting up to ${waitSeconds} s for the redirect to ${receiver.redirectUri} ...\n`,
      );
      if (input.values['no-browser'] !== true) {
        const problem = await openBrowser(begun.authorizationUrl, context.env);
        if (problem !== undefined) context.stderr.write(`(could not open a browser: ${problem})\n`);
      }
      const callback = await receiver.callback(begun.state, waitSeconds * 1000);
      let pair: authV1.TokenPair;
      try {
        pair = await unaryCall(
          client,
          client.completeFederatedLogin,
          { state: begun.state, code: callback.code, iss: callback.iss, error: callback.error },
          new Metadata(),
          input.target,
        );
      } catch (error) {
        const message = error instanceof CliFailure ? error.message : 'the login could not be completed';
        callback.respond('Sign-in failed', `${message}. See the terminal.`);
        throw error;
      }
      callback.respond('Signed in', 'You are signed in to Gatehouse. You can close this window.');
      const email = decodeJwt(pair.accessToken).claims.email;
      storeLogin(input, context, { email: typeof email === 'string' ? email : '', pair, provider });
      return 0;
    });
  } finally {
    await receiver.close();
  }
}
