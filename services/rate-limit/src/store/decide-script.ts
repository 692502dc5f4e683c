/**
 * One CheckLimit decision in one Redis round trip, atomically: evaluates every check, then, only
 * when every non-shadow check allows the request (all-or-nothing) and the request consumes,
 * updates the counters of the checks that allowed it. Mirrors limiter/*.ts line for line; the
 * store contract suite runs the same cases against this script and the memory store.
 *
 * KEYS: two per check (fixed: window key twice; sliding: current, previous window; token bucket
 *   and concurrency: the key twice).
 * ARGV: now, hits, consume (1/0), n, then per check: algorithm (f|s|t|c), limit, windowMs, burst,
 *   shadow (1/0), lease id.
 * Returns per check: allowed (1/0), remaining, resetAfterMs, retryAfterMs.
 */
export const decideScript = `
local now = tonumber(ARGV[1])
local hits = tonumber(ARGV[2])
local consume = ARGV[3] == '1'
local n = tonumber(ARGV[4])
local eps = 1e-6
local out = {}
local commits = {}
local admitted = true
for i = 1, n do
  local a = 4 + (i - 1) * 6
  local algorithm = ARGV[a + 1]
  local limit = tonumber(ARGV[a + 2])
  local w = tonumber(ARGV[a + 3])
  local burst = tonumber(ARGV[a + 4])
  local shadow = ARGV[a + 5] == '1'
  local lease = ARGV[a + 6]
  local k1 = KEYS[2 * i - 1]
  local k2 = KEYS[2 * i]
  local allowed, remaining, reset, retry
  if algorithm == 'f' then
    local count = tonumber(redis.call('GET', k1) or '0')
    local index = math.floor(now / w)
    reset = (index + 1) * w - now
    allowed = count + hits <= limit
    local after = count
    if allowed and consume then after = count + hits end
    remaining = math.max(0, limit - after)
    retry = 0
    if not allowed then retry = reset end
    commits[i] = function()
      -- A window's key expires when the window ends: set once, when the increment creates it.
      if redis.call('INCRBY', k1, hits) == hits then redis.call('PEXPIRE', k1, reset) end
    end
  elseif algorithm == 's' then
    local current = tonumber(redis.call('GET', k1) or '0')
    local previous = tonumber(redis.call('GET', k2) or '0')
    local index = math.floor(now / w)
    local elapsed = now - index * w
    local estimate = previous * (w - elapsed) / w + current
    allowed = estimate + hits <= limit
    local consumed = 0
    if allowed and consume then consumed = hits end
    local after = current + consumed
    if after > 0 then reset = (index + 2) * w - now elseif previous > 0 then reset = (index + 1) * w - now else reset = 0 end
    remaining = math.max(0, math.floor(limit - estimate - consumed))
    retry = 0
    if not allowed then
      if hits > limit then
        retry = 2 * w - elapsed
      else
        local room = limit - current - hits
        if room >= 0 and previous > 0 then
          retry = math.max(1, math.ceil(w - room * w / previous - elapsed))
        else
          local intoNext = 0
          if current > 0 then intoNext = math.max(0, math.ceil(w - (limit - hits) * w / current)) end
          retry = w - elapsed + intoNext
        end
      end
    end
    commits[i] = function()
      if redis.call('INCRBY', k1, hits) == hits then redis.call('PEXPIRE', k1, (index + 2) * w - now) end
    end
  elseif algorithm == 't' then
    local tat = tonumber(redis.call('GET', k1) or '0')
    local interval = w / limit
    local tolerance = (limit + burst) * interval
    local base = math.max(tat, now)
    local candidate = base + hits * interval
    allowed = candidate - now <= tolerance + eps
    local after = base
    if allowed and consume then after = candidate end
    remaining = math.max(0, math.floor((tolerance - (after - now)) / interval + eps))
    reset = math.ceil(after - now)
    retry = 0
    if not allowed then retry = math.max(1, math.ceil(candidate - now - tolerance - eps)) end
    commits[i] = function()
      redis.call('SET', k1, string.format('%.17g', candidate), 'PX', math.max(1, math.ceil(candidate - now)))
    end
  else
    redis.call('ZREMRANGEBYSCORE', k1, '-inf', now)
    local active = redis.call('ZCARD', k1)
    local first = redis.call('ZRANGE', k1, 0, 0, 'WITHSCORES')
    local earliest = 0
    if first[2] then earliest = tonumber(first[2]) end
    allowed = active + 1 <= limit
    local inflight = active
    if allowed and consume then inflight = active + 1 end
    remaining = math.max(0, limit - inflight)
    if inflight > 0 then reset = w else reset = 0 end
    retry = 0
    if not allowed then
      if earliest > now then retry = earliest - now else retry = w end
    end
    commits[i] = function()
      redis.call('ZADD', k1, now + w, lease)
      redis.call('PEXPIRE', k1, w)
    end
  end
  if not allowed and not shadow then admitted = false end
  local flag = 0
  if allowed then flag = 1 end
  out[#out + 1] = flag
  out[#out + 1] = remaining
  out[#out + 1] = reset
  out[#out + 1] = retry
  if not allowed then commits[i] = nil end
end
if admitted and consume then
  for i = 1, n do
    if commits[i] then commits[i]() end
  end
end
return out
`;

/** Ends a lease: 1 when it existed and had not expired yet. KEYS: the lease set. ARGV: lease id, now. */
export const releaseScript = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
if tonumber(score) > tonumber(ARGV[2]) then return 1 end
return 0
`;
