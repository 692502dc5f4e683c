import { status, type ServiceError } from '@grpc/grpc-js';
import { errorCodeOf, GatehouseError, readErrorDetails } from '@gatehouse/runtime';

/**
 * The auth service's answer to Authenticate as this side's error: its refusals (UNAUTHENTICATED,
 * PERMISSION_DENIED) pass on with their message, reason and details, so a caller reads the same
 * refusal whichever side decided; any other failure means the service could not answer, and
 * becomes `unavailable` (guards fail closed).
 */
export function authServiceRefusal(error: ServiceError, unavailable: () => GatehouseError): GatehouseError {
  if (error.code !== status.UNAUTHENTICATED && error.code !== status.PERMISSION_DENIED) return unavailable();
  const details = readErrorDetails(error.metadata);
  return new GatehouseError(errorCodeOf(error.code), error.details, {
    reason: details.reason,
    metadata: details.metadata,
    cause: error,
  });
}
