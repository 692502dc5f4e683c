import type { StoreCheck } from './limit-store';
import { algorithmCodes } from './redis-keys';

/**
 * Gives back what decide-script.ts committed for checks of a decision that a check in another
 * Redis Cluster slot refused, so the decision stays all-or-nothing across slots. Runs on one slot:
 * KEYS: per check, the key the decision wrote (fixed and sliding window: the current window's).
 * ARGV: the decision's `now`, then per check `algorithm:limit:windowMs:hits:leaseId`.
 * A counter never goes below what other decisions put in it; an expired key stays gone.
 */
export const refundScript = `
local now = tonumber(ARGV[1])
for i = 1, #KEYS do
  local algorithm, limit, w, hits, lease = string.match(ARGV[i + 1], '^(%a):([^:]+):([^:]+):([^:]+):(.*)$')
  local key = KEYS[i]
  hits = tonumber(hits)
  if algorithm == 'f' or algorithm == 's' then
    local count = tonumber(redis.call('GET', key) or '0')
    if count > 0 then redis.call('DECRBY', key, math.min(count, hits)) end
  elseif algorithm == 't' then
    local tat = tonumber(redis.call('GET', key) or '0')
    local after = tat - hits * tonumber(w) / tonumber(limit)
    if after > now then
      redis.call('SET', key, string.format('%.17g', after), 'PX', math.max(1, math.ceil(after - now)))
    else
      redis.call('DEL', key)
    end
  else
    redis.call('ZREM', key, lease)
  end
end
return #KEYS
`;

/** A check's refund argument: `algorithm:limit:windowMs:hits:leaseId` (its key: redisKeysOf's first). */
export function refundArg(check: StoreCheck, hits: number): string {
  const { algorithm, limit, windowMs } = check.spec;
  return `${algorithmCodes[algorithm]}:${limit}:${windowMs}:${hits}:${check.leaseId ?? ''}`;
}
