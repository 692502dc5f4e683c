// The interceptors other services install. Order: authenticate, then rateLimit (it counts the principal).
export { principalOf, requirePrincipal, type Principal, type HasMetadata } from './principal';
export {
  authenticate,
  defaultExemptMethods,
  type AuthenticateOptions,
  type ClosableInterceptor,
  type MethodRequirements,
} from './authenticate';
export {
  rateLimit,
  defaultDescriptors,
  descriptor,
  peerAddress,
  rateLimitHeaders,
  type DescriptorBuilder,
  type RateLimitedCall,
  type RateLimitInterceptor,
  type RateLimitOptions,
  type RateLimitStats,
} from './rate-limit';
export { protect, type ProtectOptions, type Protection } from './protect';
export { registerGuardMetrics } from './guard-metrics';
export { requestId, inRequest, currentRequestId, type RequestIdOptions } from './request-id';
export { withBudget, type BudgetOptions, type BudgetOutcome, type BudgetedCall } from './budget';
export { defaultDeadline, retryOnUnavailable, type RetryPolicyOptions } from './client-policies';
export {
  createAuthServiceIdentity,
  requireRole,
  type AuthServiceIdentityOptions,
  type Caller,
  type CallerIdentity,
} from './caller-identity';
