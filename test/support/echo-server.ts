import {
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServerInterceptor,
  type ServiceError,
} from '@grpc/grpc-js';

const identity = (value: Buffer) => value;

/** A one-method service on raw bytes: the smallest thing a set of interceptors can protect. */
const echoDefinition = {
  echo: {
    path: '/gatehouse.test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} as const;

export interface EchoServer {
  readonly address: string;
  /** Calls Echo; resolves the response metadata (e.g. rate-limit headers) with the echoed bytes. */
  call(payload?: Buffer): Promise<{ payload: Buffer; headers: Metadata }>;
  stop(): Promise<void>;
}

/** A grpc-js server on 127.0.0.1:0 with the given interceptors in front of an echo handler. */
export async function startEchoServer(interceptors: ServerInterceptor[]): Promise<EchoServer> {
  const server = new Server({ interceptors });
  server.addService(echoDefinition, {
    echo: (call: { request: Buffer }, callback: (error: null, response: Buffer) => void) =>
      callback(null, call.request),
  } as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const address = `127.0.0.1:${port}`;
  const client = new Client(address, credentials.createInsecure());
  return {
    address,
    call: (payload = Buffer.from('ping')) =>
      new Promise((resolve, reject) => {
        let headers = new Metadata();
        const call = client.makeUnaryRequest(
          echoDefinition.echo.path,
          identity,
          identity,
          payload,
          new Metadata(),
          { deadline: Date.now() + 3000 },
          (error: ServiceError | null, response?: Buffer) =>
            error ? reject(error) : resolve({ payload: response!, headers }),
        );
        call.on('metadata', (metadata) => (headers = metadata));
      }),
    stop: async () => {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
