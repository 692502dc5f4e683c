// The public face of the generated contracts: one namespace per proto package, so names that
// repeat across packages (e.g. ReleaseRequest) stay unambiguous: `budgetV1.ReleaseRequest`.
import * as authV1 from './gen/gatehouse/auth/v1/auth_service';
import * as budgetV1 from './gen/gatehouse/budget/v1/budget_service';
import * as healthV1 from './gen/gatehouse/health/v1/health_service';
import * as ratelimitV1 from './gen/gatehouse/ratelimit/v1/ratelimit_service';
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
} as const;

/** The binary FileDescriptorSet of every contract (for reflection and dynamic clients). */
export function descriptorSet(): Buffer {
  return Buffer.from(descriptorSetBase64, 'base64');
}

export { authV1, budgetV1, healthV1, ratelimitV1, grpcHealthV1, grpcReflectionV1, grpcReflectionV1alpha };
export { Any, BadRequest, BadRequest_FieldViolation, ErrorInfo, RetryInfo, Status };
