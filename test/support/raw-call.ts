import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { outcomeCode } from './load';

const identity = (value: Buffer) => value;

/**
 * Calls `path` with raw request bytes, so tests can send what no generated client would: random
 * bytes, oversized or malformed messages. Resolves the outcome code ('OK' or a gRPC status name)
 * and details; a server stream counts as OK once its first message (or a quiet 300 ms) arrives.
 */
export function rawCall(
  client: Client,
  path: string,
  request: Buffer,
  options: { metadata?: Metadata; responseStream?: boolean; deadlineMs?: number } = {},
): Promise<{ code: string; details: string }> {
  const metadata = options.metadata ?? new Metadata();
  const deadline = Date.now() + (options.deadlineMs ?? 5000);
  return new Promise((resolve) => {
    const failed = (error: ServiceError) => resolve({ code: outcomeCode(error), details: error.details });
    if (!options.responseStream) {
      client.makeUnaryRequest(path, identity, identity, request, metadata, { deadline }, (error) =>
        error ? failed(error) : resolve({ code: 'OK', details: '' }),
      );
      return;
    }
    const stream = client.makeServerStreamRequest(path, identity, identity, request, metadata, { deadline });
    let settled = false;
    const settle = (outcome: { code: string; details: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.cancel();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ code: 'OK', details: 'stream open' }), 300);
    stream.on('data', () => settle({ code: 'OK', details: '' }));
    stream.on('error', (error: ServiceError) => settle({ code: outcomeCode(error), details: error.details }));
    stream.on('end', () => settle({ code: 'OK', details: '' }));
  });
}

/** A raw channel to `address`. */
export function rawClient(address: string): Client {
  return new Client(address, credentials.createInsecure());
}
