import type { Client, ChannelCredentials, Metadata } from '@grpc/grpc-js';
import type { CliContext } from '../command';
import { credentialMetadata, findCredential, requireCredential } from './caller-credential';
import type { LeafInput } from './leaf-command';
import { withClient } from './open-client';

type ClientConstructor<C extends Client> = new (address: string, credentials: ChannelCredentials) => C;

/**
 * Runs `use` with a client of the command's service and the caller's credential as metadata.
 * `credential: 'required'` fails with "run gatehouse login" when there is none.
 */
export function withService<C extends Client, T>(
  constructor: ClientConstructor<C>,
  input: LeafInput,
  context: CliContext,
  credential: 'required' | 'optional',
  use: (client: C, metadata: Metadata) => Promise<T>,
): Promise<T> {
  const found =
    credential === 'required'
      ? requireCredential(input.tokenFlag, context.env)
      : findCredential(input.tokenFlag, context.env);
  const metadata = credentialMetadata(found);
  return withClient(constructor, input.target.address, (client) => use(client, metadata));
}
