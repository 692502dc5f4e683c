import { credentials, type Client, type ChannelCredentials } from '@grpc/grpc-js';

type ClientConstructor<C extends Client> = new (address: string, credentials: ChannelCredentials) => C;

/** Opens a plaintext client to `address`, runs `use`, and always closes the client. */
export async function withClient<C extends Client, T>(
  constructor: ClientConstructor<C>,
  address: string,
  use: (client: C) => Promise<T>,
): Promise<T> {
  const client = new constructor(address, credentials.createInsecure());
  try {
    return await use(client);
  } finally {
    client.close();
  }
}
