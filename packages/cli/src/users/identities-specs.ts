import { authV1 } from '@gatehouse/contracts';
import type { CliContext } from '../command';
import type { LeafInput, LeafSpec } from '../shared/leaf-command';
import { formatTime, messageJson, renderTable, toJson } from '../shared/output-format';
import { unaryCall } from '../shared/unary-call';
import { resolveUserId, withAuth } from './admin-call';

/** The human view of a user's linked provider accounts. */
export function renderIdentities(identities: readonly authV1.FederatedIdentity[]): string {
  return renderTable(
    ['PROVIDER', 'SUBJECT', 'EMAIL', 'VERIFIED', 'LINKED', 'LAST LOGIN'],
    identities.map((identity) => [
      identity.provider,
      identity.subject,
      identity.email === '' ? '-' : identity.email,
      identity.emailVerified ? 'yes' : 'no',
      formatTime(identity.linkedAt),
      formatTime(identity.lastLoginAt),
    ]),
  );
}

export const identitiesSpec: LeafSpec = {
  path: 'users identities',
  summary: "list a user's linked identity-provider accounts (admin)",
  service: 'auth',
  positionals: { min: 1, max: 1 },
  help: `Usage: gatehouse users identities <user-id|email>

Lists the provider accounts (Google, GitHub, any OpenID Connect issuer) that log in as the user
(ListFederatedIdentities; needs an admin credential).
`,
  async run(input: LeafInput, context: CliContext) {
    const [user = ''] = input.positionals;
    const identities = await withAuth(input, context, async (client, metadata) => {
      const userId = await resolveUserId(client, metadata, input.target, user);
      const response = await unaryCall(
        client,
        client.listFederatedIdentities,
        { userId },
        metadata,
        input.target,
      );
      return response.identities;
    });
    context.stdout.write(
      input.json
        ? toJson(identities.map((identity) => messageJson(authV1.FederatedIdentity, identity)))
        : renderIdentities(identities),
    );
    return 0;
  },
};

export const unlinkSpec: LeafSpec = {
  path: 'users unlink',
  summary: 'unlink an identity-provider account from a user (admin)',
  service: 'auth',
  positionals: { min: 3, max: 3 },
  help: `Usage: gatehouse users unlink <user-id|email> <provider> <subject>

Removes one linked provider account (UnlinkFederatedIdentity; needs an admin credential): it no
longer logs in as the user. A later login with it links again only through an e-mail address the
provider has verified. <subject> is the SUBJECT column of \`gatehouse users identities\`.
`,
  async run(input: LeafInput, context: CliContext) {
    const [user = '', provider = '', subject = ''] = input.positionals;
    const userId = await withAuth(input, context, async (client, metadata) => {
      const id = await resolveUserId(client, metadata, input.target, user);
      await unaryCall(
        client,
        client.unlinkFederatedIdentity,
        { userId: id, provider, subject },
        metadata,
        input.target,
      );
      return id;
    });
    context.stdout.write(
      input.json
        ? toJson({ userId, provider, subject, unlinked: true })
        : `Unlinked ${provider} account ${subject} from ${userId}.\n`,
    );
    return 0;
  },
};
