/**
 * A batch of CheckLimit decisions in one Redis round trip, atomically, decided one after the
 * other in order (a later decision sees what an earlier one consumed, exactly as if they had been
 * separate calls). Per decision: evaluates every check, then, only when every non-shadow check
 * allows the request (all-or-nothing) and the request consumes, updates the counters of the checks
 * that allowed it. Mirrors limiter/*.ts line for line; the store contract suite runs the same cases
 * against this script and the memory store.
 *
 * Arguments are packed (one string per decision and per check) because the client's cost grows
 * with the number of arguments, and a batch carries hundreds.
 * KEYS: per check, decisions one after the other: sliding window: current and previous window;
 *   fixed: the window key; token bucket, concurrency: the key.
 * ARGV: number of decisions, then per decision `now:hits:consume(1/0):n` followed by its n checks,
 *   each `algorithm(f|s|t|c):limit:windowMs:burst:shadow(1/0):hits:consume(1/0):leaseId`, where a
 *   check's own hits and consume (Envoy's per-descriptor hits_addend) are empty when it takes the
 *   decision's.
 * Returns per check, in order: allowed (1/0), remaining, resetAfterMs, retryAfterMs.
 */
export const decideScript = `
local eps = 1e-6
local out = {}
local decisions = tonumber(ARGV[1])
local a = 1
local k = 0
for _ = 1, decisions do
  a = a + 1
  local now, decisionHits, consumeFlag, n = string.match(ARGV[a], '^([^:]+):([^:]+):([01]):(%d+)$')
  now = tonumber(now)
  decisionHits = tonumber(decisionHits)
  n = tonumber(n)
  local decisionConsume = consumeFlag == '1'
  -- Updates to apply if the decision admits the request: algorithm, key, value, lease, hits (flat).
  local commits = {}
  local admitted = true
  for _ = 1, n do
    a = a + 1
    local algorithm, limit, w, burst, shadowFlag, ownHits, ownConsume, lease =
      string.match(ARGV[a], '^(%a):([^:]+):([^:]+):([^:]+):([01]):([^:]*):([01]?):(.*)$')
    -- This check's demand: its own, within the decision's (a peek consumes nothing).
    local hits = decisionHits
    local consume = decisionConsume
    if ownHits ~= '' then
      hits = tonumber(ownHits)
      consume = decisionConsume and ownConsume == '1'
    end
    limit = tonumber(limit)
    w = tonumber(w)
    burst = tonumber(burst)
    local shadow = shadowFlag == '1'
    local k1 = KEYS[k + 1]
    local k2 = k1
    if algorithm == 's' then
      k2 = KEYS[k + 2]
      k = k + 2
    else
      k = k + 1
    end
    local allowed, remaining, reset, retry, value
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
      value = reset
    elseif algorithm == 's' then
      -- One MGET, not two GETs: each redis.call costs Redis a command dispatch (same hash tag).
      local windows = redis.call('MGET', k1, k2)
      local current = tonumber(windows[1] or '0')
      local previous = tonumber(windows[2] or '0')
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
      value = (index + 2) * w - now
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
      value = candidate
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
      value = w
    end
    if allowed then
      if consume then
        local c = #commits
        commits[c + 1] = algorithm
        commits[c + 2] = k1
        commits[c + 3] = value
        commits[c + 4] = lease
        commits[c + 5] = hits
      end
      out[#out + 1] = 1
    else
      if not shadow then admitted = false end
      out[#out + 1] = 0
    end
    out[#out + 1] = remaining
    out[#out + 1] = reset
    out[#out + 1] = retry
  end
  if admitted and decisionConsume then
    for c = 1, #commits, 5 do
      local algorithm = commits[c]
      local key = commits[c + 1]
      local value = commits[c + 2]
      local hits = commits[c + 4]
      if algorithm == 'f' or algorithm == 's' then
        -- A window's key expires once it can no longer count: set once, when the increment creates it.
        if redis.call('INCRBY', key, hits) == hits then redis.call('PEXPIRE', key, value) end
      elseif algorithm == 't' then
        redis.call('SET', key, string.format('%.17g', value), 'PX', math.max(1, math.ceil(value - now)))
      else
        redis.call('ZADD', key, now + value, commits[c + 3])
        redis.call('PEXPIRE', key, value)
      end
    end
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
