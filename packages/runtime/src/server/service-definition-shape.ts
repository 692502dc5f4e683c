/** What the host needs of one method of a generated definition. */
export interface MethodShape {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
}

/** A generated service definition (ts-proto, outputServices=grpc-js). */
export type ServiceDefinitionShape = Record<string, MethodShape>;
