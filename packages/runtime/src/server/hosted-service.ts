import type { ServiceDefinitionShape } from './service-definition-shape';
import type { ServiceImplementation } from './service-implementation';

/** One gRPC service a host serves, with its handlers. */
export interface HostedService {
  /** Fully-qualified name, e.g. "gatehouse.auth.v1.AuthService": its readiness name in grpc.health.v1. */
  readonly name: string;
  readonly definition: ServiceDefinitionShape;
  readonly implementation: ServiceImplementation<ServiceDefinitionShape>;
}

/** Pairs a generated definition with its handlers, type-checking the handlers against it. */
export function hostedService<D extends ServiceDefinitionShape>(
  name: string,
  definition: D,
  implementation: ServiceImplementation<D>,
): HostedService {
  return {
    name,
    definition,
    implementation: implementation as ServiceImplementation<ServiceDefinitionShape>,
  };
}
