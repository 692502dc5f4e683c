import {
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type Client,
  type Interceptor,
  type ServerInterceptor,
  type ServiceDefinition,
  type ServiceError,
  type sendUnaryData,
  status,
  type ServerUnaryCall,
  makeGenericClientConstructor,
} from '@grpc/grpc-js';
import { principalOf, type Principal } from '../principal';

const json = {
  requestSerialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  requestDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString() || '{}') as unknown,
  responseSerialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  responseDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString() || '{}') as unknown,
};

const method = (name: string) => ({
  path: `/test.Echo/${name}`,
  requestStream: false,
  responseStream: false,
  originalName: name,
  ...json,
});

export const echoDefinition: ServiceDefinition = {
  Echo: method('Echo'),
  Write: method('Write'),
  Limited: method('Limited'),
};

export interface EchoReply {
  subject: string;
  tier: string;
  /** The x-request-id the server received. */
  requestId: string;
  /** The whole principal, as JSON (times as ISO strings). */
  principal?: Principal;
}

export interface EchoServer {
  address: string;
  client: Client;
  /** One unary call; resolves the reply and the response headers, or rejects with the ServiceError. */
  call(
    name: 'Echo' | 'Write' | 'Limited',
    metadata?: Metadata,
  ): Promise<{ reply: EchoReply; headers: Metadata }>;
  stop(): Promise<void>;
}

/**
 * A bare grpc-js server whose handlers answer with the principal the interceptors attached;
 * `beforeReply` (when given) runs first, and its rejection fails the call ABORTED.
 */
export async function startEchoServer(
  interceptors: ServerInterceptor[],
  clientInterceptors: Interceptor[] = [],
  beforeReply?: () => Promise<void>,
): Promise<EchoServer> {
  const server = new Server({ interceptors });
  const handler = (call: ServerUnaryCall<unknown, EchoReply>, callback: sendUnaryData<EchoReply>) => {
    const principal = principalOf(call);
    const requestId = call.metadata.get('x-request-id')[0];
    const reply = () =>
      callback(null, {
        subject: principal?.subject ?? '',
        tier: principal?.tier ?? '',
        requestId: typeof requestId === 'string' ? requestId : '',
        principal,
      });
    if (beforeReply === undefined) return reply();
    beforeReply().then(reply, (error: Error) => callback({ code: status.ABORTED, details: error.message }));
  };
  server.addService(echoDefinition, { Echo: handler, Write: handler, Limited: handler });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const address = `127.0.0.1:${port}`;
  const Constructor = makeGenericClientConstructor(echoDefinition, 'Echo');
  const client = new Constructor(address, credentials.createInsecure(), { interceptors: clientInterceptors });
  return {
    address,
    client,
    call: (name, metadata = new Metadata()) =>
      new Promise((resolve, reject) => {
        let headers = new Metadata();
        const call = client.makeUnaryRequest<object, EchoReply>(
          echoDefinition[name]!.path,
          json.requestSerialize,
          json.responseDeserialize as (bytes: Buffer) => EchoReply,
          {},
          metadata,
          (error: ServiceError | null, reply?: EchoReply) =>
            error ? reject(error) : resolve({ reply: reply!, headers }),
        );
        call.on('metadata', (received: Metadata) => {
          headers = received;
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        client.close();
        server.tryShutdown(() => resolve());
      }),
  };
}

export function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

export function apiKey(key: string): Metadata {
  const metadata = new Metadata();
  metadata.set('x-api-key', key);
  return metadata;
}
