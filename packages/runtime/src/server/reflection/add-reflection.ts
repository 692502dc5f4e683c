import { status, type Server, type ServerDuplexStream, type ServiceDefinition } from '@grpc/grpc-js';
import { descriptorSet, grpcReflectionV1, grpcReflectionV1alpha } from '@gatehouse/contracts';
import { observeHandlerCall, sendRequestIdHeader, type CallObserver } from '../call-observer';
import { DescriptorIndex } from './descriptor-index';

type Request = grpcReflectionV1.ServerReflectionRequest;
type Response = grpcReflectionV1.ServerReflectionResponse;

/**
 * Serves gRPC server reflection (v1 and the older v1alpha, which many clients still use) for the
 * listed services, so grpcurl and buf curl work without proto files. Given an observer, each
 * stream is observed like the host's other calls (see toGrpcImplementation).
 */
export function addReflection(
  server: Server,
  serviceNames: readonly string[],
  observer?: CallObserver,
): void {
  const index = new DescriptorIndex(descriptorSet());
  const handler = {
    serverReflectionInfo: (call: ServerDuplexStream<Request, Response>) => {
      const observation = observer && observeHandlerCall(observer, call.getPath(), true, true, call);
      if (observation !== undefined) sendRequestIdHeader(call, observation);
      call.on('data', (request: Request) => call.write(answer(index, serviceNames, request)));
      call.on('end', () => {
        observation?.end(status.OK, '');
        call.end();
      });
    },
  };
  for (const definition of [
    grpcReflectionV1.ServerReflectionService,
    grpcReflectionV1alpha.ServerReflectionService,
  ]) {
    server.addService(definition as unknown as ServiceDefinition, handler);
  }
}

function answer(index: DescriptorIndex, serviceNames: readonly string[], request: Request): Response {
  const base = { validHost: request.host, originalRequest: request };
  const files = (found: Buffer[] | undefined, what: string): Response =>
    found
      ? { ...base, fileDescriptorResponse: { fileDescriptorProto: found } }
      : { ...base, errorResponse: { errorCode: status.NOT_FOUND, errorMessage: `${what} not found` } };

  if (request.listServices !== undefined) {
    return { ...base, listServicesResponse: { service: serviceNames.map((name) => ({ name })) } };
  }
  if (request.fileByFilename !== undefined) {
    return files(index.fileByName(request.fileByFilename), `file ${request.fileByFilename}`);
  }
  if (request.fileContainingSymbol !== undefined) {
    return files(
      index.fileContainingSymbol(request.fileContainingSymbol),
      `symbol ${request.fileContainingSymbol}`,
    );
  }
  if (
    request.allExtensionNumbersOfType !== undefined &&
    index.hasMessage(request.allExtensionNumbersOfType)
  ) {
    // Gatehouse contracts declare no extensions.
    return {
      ...base,
      allExtensionNumbersResponse: { baseTypeName: request.allExtensionNumbersOfType, extensionNumber: [] },
    };
  }
  if (request.fileContainingExtension !== undefined || request.allExtensionNumbersOfType !== undefined) {
    return {
      ...base,
      errorResponse: { errorCode: status.NOT_FOUND, errorMessage: 'no such extension or type' },
    };
  }
  return {
    ...base,
    errorResponse: { errorCode: status.INVALID_ARGUMENT, errorMessage: 'empty reflection request' },
  };
}
