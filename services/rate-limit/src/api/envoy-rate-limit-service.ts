import {
  envoyRateLimitCommonV3,
  envoyRateLimitUnitV3,
  envoyRateLimitV3,
  serviceNames,
} from '@gatehouse/contracts';
import { hostedService, type HostedService } from '@gatehouse/runtime';
import type { DecisionEngine } from '../engine/decision-engine';
import type { Decision, DescriptorDecision, DescriptorInput } from '../engine/decision-types';
import { unitMs, unitOf } from '../rules/duration';
import { validateDescriptors, validateDomain, validateHits, type RequestLimits } from './validate-request';

const { RateLimitResponse_Code: Code, RateLimitResponse_RateLimit_Unit: Unit } = envoyRateLimitV3;

const unitByName: Record<string, envoyRateLimitV3.RateLimitResponse_RateLimit_Unit> = {
  second: Unit.SECOND,
  minute: Unit.MINUTE,
  hour: Unit.HOUR,
  day: Unit.DAY,
  week: Unit.WEEK,
  month: Unit.MONTH,
  year: Unit.YEAR,
};

const overrideUnitMs: Partial<Record<envoyRateLimitUnitV3.RateLimitUnit, number>> = {
  [envoyRateLimitUnitV3.RateLimitUnit.SECOND]: unitMs.second,
  [envoyRateLimitUnitV3.RateLimitUnit.MINUTE]: unitMs.minute,
  [envoyRateLimitUnitV3.RateLimitUnit.HOUR]: unitMs.hour,
  [envoyRateLimitUnitV3.RateLimitUnit.DAY]: unitMs.day,
  [envoyRateLimitUnitV3.RateLimitUnit.WEEK]: unitMs.week,
  [envoyRateLimitUnitV3.RateLimitUnit.MONTH]: unitMs.month,
  [envoyRateLimitUnitV3.RateLimitUnit.YEAR]: unitMs.year,
};

export interface EnvoyRateLimitServiceOptions {
  engine: DecisionEngine;
  limits: RequestLimits;
}

/**
 * envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit on the same port, decided by the same
 * engine: an Envoy (or envoyproxy/ratelimit client) config works unchanged. hits_addend 0 means 1,
 * as in Envoy; a descriptor's own hits_addend replaces it for that descriptor (0: checked, not
 * consumed).
 */
export function envoyRateLimitService(options: EnvoyRateLimitServiceOptions): HostedService {
  const { engine, limits } = options;
  return hostedService(serviceNames.envoyRateLimit, envoyRateLimitV3.RateLimitServiceService, {
    async shouldRateLimit(request) {
      const domain = validateDomain(request.domain, limits);
      const descriptors = validateDescriptors(
        request.descriptors.map(fromEnvoyDescriptor),
        limits,
        'descriptors',
        0,
      ).map((descriptor, i) => withOwnHits(descriptor, request.descriptors[i]!.hitsAddend, i));
      const hits = request.hitsAddend === 0 ? 1 : request.hitsAddend;
      return toEnvoyResponse(await engine.decide({ domain, descriptors, hits }));
    },
  });
}

/** Envoy's per-descriptor hits_addend (a UInt64Value: unset, or any count including 0). */
function withOwnHits(
  descriptor: DescriptorInput,
  hitsAddend: bigint | undefined,
  index: number,
): DescriptorInput {
  if (hitsAddend === undefined) return descriptor;
  // Clamped before Number(): a uint64 past 2^53 would not survive it, and over the cap is refused alike.
  const capped = Number(hitsAddend > 1_000_001n ? 1_000_001n : hitsAddend);
  return { ...descriptor, hits: validateHits(capped, `descriptors[${index}].hits_addend`) };
}

function fromEnvoyDescriptor(descriptor: envoyRateLimitCommonV3.RateLimitDescriptor) {
  const override = descriptor.limit;
  const windowMs = override === undefined ? undefined : overrideUnitMs[override.unit];
  return {
    entries: descriptor.entries,
    limit:
      override === undefined || windowMs === undefined
        ? undefined
        : { requestsPerUnit: override.requestsPerUnit, windowMs },
  };
}

function toEnvoyResponse(decision: Decision): envoyRateLimitV3.RateLimitResponse {
  const resetSeconds = Math.ceil(decision.resetAfterMs / 1000);
  const headers =
    decision.limit > 0
      ? [
          { key: 'RateLimit-Limit', value: String(decision.limit), rawValue: Buffer.alloc(0) },
          { key: 'RateLimit-Remaining', value: String(decision.remaining), rawValue: Buffer.alloc(0) },
          { key: 'RateLimit-Reset', value: String(resetSeconds), rawValue: Buffer.alloc(0) },
        ]
      : [];
  return {
    overallCode: decision.allowed ? Code.OK : Code.OVER_LIMIT,
    statuses: decision.statuses.map(toEnvoyStatus),
    responseHeadersToAdd: headers,
    requestHeadersToAdd: [],
  };
}

/**
 * One descriptor's status as Envoy's service gives it: a counted limit reports itself and its
 * window's reset; an unlimited one only OK with 4294967295 remaining; no limit (none matched, or
 * replaced) only OK.
 */
function toEnvoyStatus(status: DescriptorDecision): envoyRateLimitV3.RateLimitResponse_DescriptorStatus {
  const code = status.allowed ? Code.OK : Code.OVER_LIMIT;
  if (!status.counted) {
    return {
      code,
      currentLimit: undefined,
      limitRemaining: status.unlimited ? maxUint32 : 0,
      durationUntilReset: undefined,
    };
  }
  const unit = unitOf(status.windowMs);
  const ms = Math.max(0, Math.ceil(status.resetAfterMs));
  return {
    code,
    currentLimit: {
      name: status.limitName,
      requestsPerUnit: status.limit,
      unit: unit === undefined ? Unit.UNKNOWN : (unitByName[unit] ?? Unit.UNKNOWN),
    },
    // Envoy: an over-limit status has nothing remaining (in shadow mode too).
    limitRemaining: status.overLimit ? 0 : Math.min(maxUint32, Math.max(0, Math.floor(status.remaining))),
    durationUntilReset: { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 },
  };
}

const maxUint32 = 0xffffffff;
