import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { credentials, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { grpcReflectionV1, grpcReflectionV1alpha, serviceNames } from '@gatehouse/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addReflection } from './add-reflection';

type Request = grpcReflectionV1.ServerReflectionRequest;
type Response = grpcReflectionV1.ServerReflectionResponse;

const server = new Server();
let address = '';

beforeAll(async () => {
  addReflection(server, [serviceNames.rateLimit, 'grpc.health.v1.Health']);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  address = `127.0.0.1:${port}`;
});
afterAll(() => server.forceShutdown());

/** Sends each request on one reflection stream and collects one response per request. */
async function reflect(requests: Partial<Request>[], version: 'v1' | 'v1alpha' = 'v1'): Promise<Response[]> {
  const Client =
    version === 'v1' ? grpcReflectionV1.ServerReflectionClient : grpcReflectionV1alpha.ServerReflectionClient;
  const client = new Client(address, credentials.createInsecure());
  const call = client.serverReflectionInfo();
  const responses: Response[] = [];
  const done = new Promise<void>((resolve, reject) => {
    call.on('data', (response: Response) => responses.push(response));
    call.on('end', resolve);
    call.on('error', reject);
  });
  for (const request of requests) call.write({ host: '', ...request });
  call.end();
  await done;
  client.close();
  return responses;
}

const fileNames = (response: Response | undefined) =>
  response?.fileDescriptorResponse?.fileDescriptorProto.map(
    (bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name,
  );

describe('addReflection', () => {
  it('lists only the services the host serves', async () => {
    const [response] = await reflect([{ listServices: '' }]);
    expect(response?.listServicesResponse?.service).toEqual([
      { name: 'gatehouse.ratelimit.v1.RateLimitService' },
      { name: 'grpc.health.v1.Health' },
    ]);
  });

  it('answers a service, a method or a message with its file and every file it imports', async () => {
    const responses = await reflect([
      { fileContainingSymbol: 'gatehouse.ratelimit.v1.RateLimitService' },
      { fileContainingSymbol: 'gatehouse.ratelimit.v1.RateLimitService.CheckLimit' },
      { fileContainingSymbol: 'gatehouse.ratelimit.v1.DescriptorStatus' },
      { fileByFilename: 'gatehouse/ratelimit/v1/ratelimit_service.proto' },
    ]);
    for (const response of responses) {
      expect(fileNames(response)).toEqual([
        'gatehouse/ratelimit/v1/ratelimit_service.proto',
        'google/protobuf/timestamp.proto',
      ]);
    }
  });

  it('keeps each file whole: the service with its methods and imports', async () => {
    const [response] = await reflect([{ fileContainingSymbol: serviceNames.rateLimit }]);
    const file = fromBinary(
      FileDescriptorProtoSchema,
      response!.fileDescriptorResponse!.fileDescriptorProto[0]!,
    );
    expect(file.dependency).toEqual(['google/protobuf/timestamp.proto']);
    expect(file.service[0]?.method.map((method) => method.name)).toEqual([
      'CheckLimit',
      'Release',
      'GetLimitStatus',
      'ListRules',
      'ResetLimit',
    ]);
  });

  it('answers NOT_FOUND for unknown symbols and files, on v1alpha too', async () => {
    const responses = await reflect(
      [{ fileContainingSymbol: 'no.such.Service' }, { fileByFilename: 'nope.proto' }],
      'v1alpha',
    );
    expect(responses.map((r) => r.errorResponse)).toEqual([
      { errorCode: status.NOT_FOUND, errorMessage: 'symbol no.such.Service not found' },
      { errorCode: status.NOT_FOUND, errorMessage: 'file nope.proto not found' },
    ]);
  });
});
