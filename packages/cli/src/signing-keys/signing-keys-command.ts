import { authV1 } from '@gatehouse/contracts';
import { commandGroup } from '../shared/command-group';
import type { LeafSpec } from '../shared/leaf-command';
import { formatTime, messageJson, toJson } from '../shared/output-format';
import { unaryCall } from '../shared/unary-call';
import { withService } from '../shared/with-service';

const rotateSpec: LeafSpec = {
  path: 'signing-keys rotate',
  summary: 'rotate the token signing key now (admin)',
  service: 'auth',
  help: `Usage: gatehouse signing-keys rotate

Creates a new signing key (RotateSigningKey; needs an admin credential). It is published in the
JWKS at once and signs tokens from the printed time (AUTH_KEY_PUBLISH_AHEAD_SECONDS later); the
old key stays published until every token it signed has expired.
`,
  async run(input, context) {
    const rotated = await withService(
      authV1.AuthServiceClient,
      input,
      context,
      'required',
      (client, metadata) => unaryCall(client, client.rotateSigningKey, {}, metadata, input.target),
    );
    context.stdout.write(
      input.json
        ? toJson(messageJson(authV1.RotateSigningKeyResponse, rotated))
        : `New signing key ${rotated.kid}, signing from ${formatTime(rotated.signsFrom)}.\n`,
    );
    return 0;
  },
};

export const signingKeysSpecs: readonly LeafSpec[] = [rotateSpec];

export const signingKeysCommand = commandGroup('signing-keys', 'rotate token signing keys', signingKeysSpecs);
