import { authV1 } from '@gatehouse/contracts';
import type { CliContext } from '../command';
import { commandGroup } from '../shared/command-group';
import {
  commaList,
  integerOption,
  requiredString,
  stringOption,
  type LeafInput,
  type LeafSpec,
} from '../shared/leaf-command';
import { formatList, formatTime, renderTable, messageJson, toJson } from '../shared/output-format';
import { unaryCall } from '../shared/unary-call';
import { withService } from '../shared/with-service';

function withAuth<T>(
  input: LeafInput,
  context: CliContext,
  use: (client: authV1.AuthServiceClient, metadata: import('@grpc/grpc-js').Metadata) => Promise<T>,
): Promise<T> {
  return withService(authV1.AuthServiceClient, input, context, 'required', use);
}

/** The human view of API keys (never the key itself: only its prefix is stored). */
export function renderApiKeys(keys: readonly authV1.ApiKeyInfo[]): string {
  return renderTable(
    ['KEY ID', 'NAME', 'PREFIX', 'SCOPES', 'USER ID', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED'],
    keys.map((key) => [
      key.keyId,
      key.name,
      key.prefix,
      formatList(key.scopes),
      key.userId,
      formatTime(key.createdAt),
      formatTime(key.expiresAt),
      formatTime(key.lastUsedAt),
      formatTime(key.revokedAt),
    ]),
  );
}

const createSpec: LeafSpec = {
  path: 'keys create',
  summary: 'create an API key (shown once)',
  service: 'auth',
  options: {
    name: { type: 'string' },
    scope: { type: 'string', multiple: true },
    'ttl-seconds': { type: 'string' },
    user: { type: 'string' },
  },
  help: `Usage: gatehouse keys create --name <name> [--scope <s>[,<s>…]] [--ttl-seconds <n>] [--user <user-id>]

Creates an API key for you (or, as an admin, for --user) and prints it once: only its hash is
kept. Use it with --token, GATEHOUSE_TOKEN or the x-api-key metadata.

Options:
  --name <name>           a name to recognise the key by (required)
  --scope <s>[,<s>…]      scopes of the key, repeatable (default: none)
  --ttl-seconds <n>       lifetime in seconds (default 0: no expiry)
  --user <user-id>        create the key for another user (admin)
`,
  async run(input, context) {
    const request: authV1.CreateApiKeyRequest = {
      name: requiredString(input.values, 'name'),
      scopes: commaList(input.values, 'scope'),
      ttlSeconds: BigInt(integerOption(input.values, 'ttl-seconds', 0)),
      userId: stringOption(input.values, 'user') ?? '',
    };
    const created = await withAuth(input, context, (client, metadata) =>
      unaryCall(client, client.createApiKey, request, metadata, input.target),
    );
    if (input.json) context.stdout.write(toJson(messageJson(authV1.CreateApiKeyResponse, created)));
    else {
      context.stdout.write(
        `Created API key ${created.keyId} (expires ${formatTime(created.expiresAt)}). ` +
          `Store it now, it is not shown again:\n${created.apiKey}\n`,
      );
    }
    return 0;
  },
};

const listSpec: LeafSpec = {
  path: 'keys list',
  summary: 'list API keys',
  service: 'auth',
  options: { user: { type: 'string' } },
  help: `Usage: gatehouse keys list [--user <user-id>]

Lists your API keys (or, as an admin, another user's), every page.

Options:
  --user <user-id>        whose keys (admin)
`,
  async run(input, context) {
    const userId = stringOption(input.values, 'user') ?? '';
    const keys = await withAuth(input, context, async (client, metadata) => {
      const found: authV1.ApiKeyInfo[] = [];
      let pageToken = '';
      do {
        const page = await unaryCall(
          client,
          client.listApiKeys,
          { userId, pageSize: 100, pageToken },
          metadata,
          input.target,
        );
        found.push(...page.apiKeys);
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      return found;
    });
    context.stdout.write(
      input.json ? toJson(keys.map((key) => messageJson(authV1.ApiKeyInfo, key))) : renderApiKeys(keys),
    );
    return 0;
  },
};

const revokeSpec: LeafSpec = {
  path: 'keys revoke',
  summary: 'revoke an API key (refused everywhere within 1 s)',
  service: 'auth',
  positionals: { min: 1, max: 1 },
  help: `Usage: gatehouse keys revoke <key-id>

Revokes the API key (RevokeApiKey). Every replica refuses it within the cache bound (1 s by default).
`,
  async run(input, context) {
    const [keyId = ''] = input.positionals;
    await withAuth(input, context, (client, metadata) =>
      unaryCall(client, client.revokeApiKey, { keyId }, metadata, input.target),
    );
    context.stdout.write(input.json ? toJson({ keyId, revoked: true }) : `Revoked API key ${keyId}.\n`);
    return 0;
  },
};

export const keysSpecs: readonly LeafSpec[] = [createSpec, listSpec, revokeSpec];

export const keysCommand = commandGroup('keys', 'create, list and revoke API keys', keysSpecs);
