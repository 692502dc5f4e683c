import { GatehouseError } from '../errors/gatehouse-error';
import type { ServiceDefinitionShape } from './service-definition-shape';

/** Stands in for a request whose bytes are not a valid message of the method's request type. */
class UndecodableRequest {
  constructor(readonly reason: string) {}
}

/**
 * The definition with each method's request decoder never throwing. grpc-js answers a decoder
 * exception with a bare INTERNAL ("Error deserializing request"), blaming the server for the
 * caller's bytes; instead the failure is handed to the handler adapter, which refuses the call with
 * INVALID_ARGUMENT (see `refusalOfUndecodable`).
 */
export function decodingSafely<D extends ServiceDefinitionShape>(definition: D): D {
  const result: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    const deserialize = (method as { requestDeserialize?: (bytes: Buffer) => unknown }).requestDeserialize;
    result[name] =
      deserialize === undefined
        ? method
        : {
            ...method,
            requestDeserialize: (bytes: Buffer) => {
              try {
                return deserialize(bytes);
              } catch (error) {
                return new UndecodableRequest(error instanceof Error ? error.message : String(error));
              }
            },
          };
  }
  return result as D;
}

/** INVALID_ARGUMENT naming the request when `request` could not be decoded; undefined otherwise. */
export function refusalOfUndecodable(request: unknown): GatehouseError | undefined {
  if (!(request instanceof UndecodableRequest)) return undefined;
  return GatehouseError.invalidArgument(
    'request',
    `is not a valid message of the method's request type (${request.reason})`,
    'UNDECODABLE_REQUEST',
  );
}
