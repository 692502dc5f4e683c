import { Metadata } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import type { CliContext } from '../command';
import { CliFailure } from '../shared/cli-failure';
import { isJwt, requireCredential } from '../shared/caller-credential';
import { commandGroup } from '../shared/command-group';
import { commaList, type LeafInput, type LeafSpec } from '../shared/leaf-command';
import { withClient } from '../shared/open-client';
import { enumLabel, formatList, formatTime, messageJson, toJson } from '../shared/output-format';
import { unaryCall } from '../shared/unary-call';
import { decodeJwt, renderDecodedJwt } from './decode-jwt';

/** The positional token, else --token, GATEHOUSE_TOKEN or the stored login. */
function tokenOf(input: LeafInput, context: CliContext): string {
  return input.positionals[0] ?? requireCredential(input.tokenFlag, context.env).value;
}

const decodeSpec: LeafSpec = {
  path: 'token decode',
  summary: "print a JWT's header and claims (not verified)",
  service: 'auth',
  positionals: { min: 0, max: 1 },
  help: `Usage: gatehouse token decode [<token>]

Prints the header and claims of an access or refresh token locally, WITHOUT checking its signature.
Without <token>: --token, $GATEHOUSE_TOKEN or the stored login's access token.
`,
  async run(input, context) {
    const decoded = decodeJwt(tokenOf(input, context));
    context.stdout.write(input.json ? toJson(decoded) : renderDecodedJwt(decoded, new Date()));
    return 0;
  },
};

/** The human view of a principal. */
export function renderPrincipal(principal: authV1.Principal): string {
  const rows: [string, string][] = [
    ['subject', principal.subject],
    ['kind', enumLabel(authV1.principalKindToJSON(principal.kind), 'PRINCIPAL_KIND_')],
    ['email', principal.email === '' ? '-' : principal.email],
    ['roles', formatList(principal.roles)],
    ['scopes', formatList(principal.scopes)],
    ['tier', principal.tier === '' ? '-' : principal.tier],
    ['api key id', principal.apiKeyId === '' ? '-' : principal.apiKeyId],
    ['expires at', formatTime(principal.expiresAt)],
  ];
  return rows.map(([label, value]) => `${`${label}:`.padEnd(12)}${value}\n`).join('');
}

const verifySpec: LeafSpec = {
  path: 'token verify',
  summary: 'verify a token or API key with the auth service (Authenticate)',
  service: 'auth',
  positionals: { min: 0, max: 1 },
  options: { scope: { type: 'string', multiple: true }, role: { type: 'string', multiple: true } },
  help: `Usage: gatehouse token verify [<token or API key>] [--scope <s>[,<s>…]] [--role <r>[,<r>…]]

Asks the auth service whether the credential is valid now (Authenticate) and prints its principal.
Exits 0 when accepted, 1 when refused (with the reason, e.g. TOKEN_EXPIRED or API_KEY_REVOKED).
Without an argument: --token, $GATEHOUSE_TOKEN or the stored login's access token.

Options:
  --scope <s>[,<s>…]       scopes the credential must carry
  --role <r>[,<r>…]        roles the principal must have
`,
  async run(input, context) {
    const credential = tokenOf(input, context);
    const request: authV1.AuthenticateRequest = {
      ...(isJwt(credential) ? { bearerToken: credential } : { apiKey: credential }),
      requiredScopes: commaList(input.values, 'scope'),
      requiredRoles: commaList(input.values, 'role'),
    };
    const { principal } = await withClient(authV1.AuthServiceClient, input.target.address, (client) =>
      unaryCall(client, client.authenticate, request, new Metadata(), input.target),
    );
    if (principal === undefined) throw new CliFailure('the auth service answered without a principal');
    context.stdout.write(
      input.json ? toJson(messageJson(authV1.Principal, principal)) : `valid\n${renderPrincipal(principal)}`,
    );
    return 0;
  },
};

export const tokenSpecs: readonly LeafSpec[] = [decodeSpec, verifySpec];

export const tokenCommand = commandGroup('token', 'decode and verify tokens', tokenSpecs);
