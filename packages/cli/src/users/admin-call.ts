import type { Metadata } from '@grpc/grpc-js';
import { authV1 } from '@gatehouse/contracts';
import type { CliContext } from '../command';
import { CliFailure } from '../shared/cli-failure';
import type { LeafInput } from '../shared/leaf-command';
import { withService } from '../shared/with-service';
import { unaryCall, type CallTarget } from '../shared/unary-call';

export type AuthClient = authV1.AuthServiceClient;

export function withAuth<T>(
  input: LeafInput,
  context: CliContext,
  use: (client: AuthClient, metadata: Metadata) => Promise<T>,
): Promise<T> {
  return withService(authV1.AuthServiceClient, input, context, 'required', use);
}

/** A user id, or an email resolved to its id through ListUsers (admin). */
export async function resolveUserId(
  client: AuthClient,
  metadata: Metadata,
  target: CallTarget,
  user: string,
) {
  if (!user.includes('@')) return user;
  const response = await unaryCall(
    client,
    client.listUsers,
    { pageSize: 100, pageToken: '', emailPrefix: user },
    metadata,
    target,
  );
  const match = response.users.find((candidate) => candidate.email.toLowerCase() === user.toLowerCase());
  if (match === undefined) throw new CliFailure(`no user with email ${user}`);
  return match.userId;
}
