import type { ratelimitV1 } from '@gatehouse/contracts';
import type { GuardedCall } from '@gatehouse/runtime';
import { methodName } from './method-match';
import type { Principal } from './principal';

/** What a descriptor builder sees of the call: what the rate-limit guard sees of it. */
export type RateLimitedCall = GuardedCall;

export type DescriptorBuilder = (
  call: RateLimitedCall,
  principal: Principal | undefined,
) => ratelimitV1.RateLimitDescriptor[];

/**
 * The shipped rules' dimensions (services/rate-limit/config/gatehouse.yaml): anonymous callers by
 * IP; signed-in users by user and tier, and by user and method; API keys by key as well.
 */
export const defaultDescriptors: DescriptorBuilder = (call, principal) => {
  if (principal === undefined) return [descriptor(['remote_address', peerAddress(call.peer)])];
  const user = principal.subject;
  const descriptors = [
    descriptor(['user', user], ['tier', principal.tier || 'free']),
    descriptor(['user', user], ['method', methodName(call.method)]),
  ];
  if (principal.apiKeyId !== '') descriptors.push(descriptor(['api_key', principal.apiKeyId]));
  return descriptors;
};

/** One descriptor from [key, value] pairs. */
export function descriptor(...entries: [key: string, value: string][]): ratelimitV1.RateLimitDescriptor {
  return { entries: entries.map(([key, value]) => ({ key, value })), limit: undefined };
}

/** "ipv4:10.0.0.7:53412" → "10.0.0.7"; "ipv6:[::1]:53412" → "::1". */
export function peerAddress(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(bare);
  if (bracketed) return bracketed[1]!;
  const colon = bare.lastIndexOf(':');
  return colon > 0 && bare.indexOf(':') === colon ? bare.slice(0, colon) : bare;
}
