// The public face of the generated contracts: one namespace per proto package, so names that
// repeat across packages (e.g. ReleaseRequest) stay unambiguous: `budgetV1.ReleaseRequest`.
import * as authV1 from './gen/gatehouse/auth/v1/auth_service';
import * as budgetV1 from './gen/gatehouse/budget/v1/budget_service';
import * as healthV1 from './gen/gatehouse/health/v1/health_service';
import * as ratelimitV1 from './gen/gatehouse/ratelimit/v1/ratelimit_service';
import * as envoyAuthV3 from './gen/envoy/service/auth/v3/external_auth';
import * as envoyAuthV3Attributes from './gen/envoy/service/auth/v3/attribute_context';
import * as envoyCoreV3 from './gen/envoy/config/core/v3/base';
import * as envoyTypeV3 from './gen/envoy/type/v3/http_status';
import * as envoyRateLimitV3 from './gen/envoy/service/ratelimit/v3/rls';
import * as envoyRateLimitCommonV3 from './gen/envoy/extensions/common/ratelimit/v3/ratelimit';
import * as envoyRateLimitUnitV3 from './gen/envoy/type/v3/ratelimit_unit';
import * as grpcHealthV1 from './gen/grpc/health/v1/health';
import * as grpcReflectionV1 from './gen/grpc/reflection/v1/reflection';
import * as grpcReflectionV1alpha from './gen/grpc/reflection/v1alpha/reflection';
import { Any } from './gen/google/protobuf/any';
import { BadRequest, BadRequest_FieldViolation, ErrorInfo, RetryInfo } from './gen/google/rpc/error_details';
import { Status } from './gen/google/rpc/status';
import { descriptorSetBase64 } from './gen/descriptor-set';

/** Fully-qualified names of the Gatehouse gRPC services, as reflection and health checks use them. */
export const serviceNames = {
  auth: 'gatehouse.auth.v1.AuthService',
  rateLimit: 'gatehouse.ratelimit.v1.RateLimitService',
  costBudget: 'gatehouse.budget.v1.CostBudgetService',
  health: 'gatehouse.health.v1.HealthService',
  envoyAuthorization: 'envoy.service.auth.v3.Authorization',
  envoyRateLimit: 'envoy.service.ratelimit.v3.RateLimitService',
} as const;

/** The binary FileDescriptorSet of every contract (for reflection and dynamic clients). */
export function descriptorSet(): Buffer {
  return Buffer.from(descriptorSetBase64, 'base64');
}

export { authV1, budgetV1, healthV1, ratelimitV1, grpcHealthV1, grpcReflectionV1, grpcReflectionV1alpha };
// Envoy ext_authz (envoy.service.auth.v3; AttributeContext lives in its own upstream file).
export { envoyAuthV3, envoyAuthV3Attributes, envoyCoreV3, envoyTypeV3 };
// Envoy ratelimit (envoy.service.ratelimit.v3 with its descriptor and unit types).
export { envoyRateLimitV3, envoyRateLimitCommonV3, envoyRateLimitUnitV3 };
export { Any, BadRequest, BadRequest_FieldViolation, ErrorInfo, RetryInfo, Status };
