import { ratelimitV1, serviceNames } from '@gatehouse/contracts';
import { requireRole, type CallerIdentity } from '@gatehouse/interceptors';
import { GatehouseError, hostedService, setSpanAttributes, type HostedService } from '@gatehouse/runtime';
import type { DecisionEngine } from '../engine/decision-engine';
import type { RuleSet } from '../rules/rule';
import { toCheckLimitResponse, toDescriptorStatus, toRule } from './to-proto';
import {
  validateDescriptor,
  validateDescriptors,
  validateDomain,
  validateHits,
  type RequestLimits,
} from './validate-request';

export interface RateLimitServiceOptions {
  engine: DecisionEngine;
  rules: () => RuleSet;
  limits: RequestLimits;
  /** Verifies callers of the admin RPC (ResetLimit) through the auth service. */
  identity: CallerIdentity;
  /** The role ResetLimit requires (RATELIMIT_ADMIN_ROLE). */
  adminRole: string;
}

/** gatehouse.ratelimit.v1.RateLimitService: validation, then the decision engine. */
export function rateLimitService(options: RateLimitServiceOptions): HostedService {
  const { engine, limits } = options;
  return hostedService(serviceNames.rateLimit, ratelimitV1.RateLimitServiceService, {
    async checkLimit(request) {
      const domain = validateDomain(request.domain, limits);
      const descriptors = validateDescriptors(request.descriptors, limits);
      const hits = validateHits(request.hits);
      const decision = await engine.decide({ domain, descriptors, hits });
      setSpanAttributes({
        'gatehouse.ratelimit.domain': domain,
        'gatehouse.ratelimit.allowed': decision.allowed,
        'gatehouse.ratelimit.rules': decision.statuses.map((s) => s.rule).filter((rule) => rule !== ''),
        'gatehouse.ratelimit.fallback': decision.fallback,
      });
      return toCheckLimitResponse(decision);
    },

    async getLimitStatus(request) {
      const domain = validateDomain(request.domain, limits);
      const descriptors = validateDescriptors(request.descriptors, limits);
      const decision = await engine.decide({ domain, descriptors, hits: 0 });
      return { statuses: decision.statuses.map(toDescriptorStatus) };
    },

    async release(request) {
      if (request.leaseId === '')
        throw GatehouseError.invalidArgument('lease_id', 'is required', 'MISSING_FIELD');
      if (request.leaseId.length > 2048) throw GatehouseError.invalidArgument('lease_id', 'is too long');
      return { released: await engine.release(request.leaseId) };
    },

    async listRules(request) {
      const rules = options.rules();
      const domains = [...rules.domains.values()].filter(
        (d) => request.domain === '' || d.domain === request.domain,
      );
      return {
        rules: domains.flatMap((domain) => domain.rules.map(toRule)),
        version: rules.version,
        loadedAt: rules.loadedAt,
      };
    },

    async resetLimit(request, context) {
      const caller = await requireRole(options.identity, context.metadata, options.adminRole, 'ResetLimit');
      setSpanAttributes({ 'gatehouse.ratelimit.reset_by': caller.subject });
      const domain = validateDomain(request.domain, limits);
      if (request.descriptor === undefined) {
        throw GatehouseError.invalidArgument('descriptor', 'is required', 'MISSING_FIELD');
      }
      const descriptor = validateDescriptor(request.descriptor, limits, 'descriptor');
      return { countersRemoved: await engine.reset(domain, descriptor) };
    },
  });
}
