"""Lua scripts run atomically by Redis: every rate-limit or budget decision is one EVALSHA round trip.

Rate limits are an exact sliding log per (key, limit name): a sorted set of entries scored by time in ms, each
member `"<seq>:<amount>"`, plus a hash `{total, seq, win}` holding the running sum so a decision never sums the
whole window. Time comes from Redis' own clock (`TIME`) so gateway hosts with skewed clocks agree; tests may pass
a time instead. Redis >= 5 replicates script effects, so reading `TIME` before writing is allowed.
"""

from __future__ import annotations

SLIDING_LOG = """
local function now_ms(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end

local function amount_of(member)
  return tonumber(string.match(member, ':(%d+)$'))
end

-- The running total, or 0 when the log itself expired (a leftover hash is stale: dropped, not rewritten,
-- so a limit that is only ever checked at cost 0 leaves no key without a TTL behind).
local function total_of(zset, meta)
  if redis.call('EXISTS', zset) == 0 then
    redis.call('DEL', meta)
    return 0
  end
  return tonumber(redis.call('HGET', meta, 'total')) or 0
end

-- Drop the entries that slid out of the window, keeping the running total in step.
local function prune(zset, meta, cutoff)
  local old = redis.call('ZRANGEBYSCORE', zset, '-inf', cutoff)
  if #old == 0 then return end
  local freed = 0
  for _, m in ipairs(old) do freed = freed + amount_of(m) end
  redis.call('ZREMRANGEBYSCORE', zset, '-inf', cutoff)
  redis.call('HINCRBY', meta, 'total', -freed)
end

local function add(zset, meta, now, amount, window)
  local seq = redis.call('HINCRBY', meta, 'seq', 1)
  redis.call('ZADD', zset, now, seq .. ':' .. amount)
  local total = redis.call('HINCRBY', meta, 'total', amount)
  redis.call('HSET', meta, 'win', window)
  -- Everything in the log is older than now, so it is all gone once the window has passed.
  redis.call('PEXPIRE', zset, window)
  redis.call('PEXPIRE', meta, window)
  return total
end

-- Milliseconds until at least `excess` units have slid out of the window.
local function wait_for(zset, excess, now, window)
  local freed, start = 0, 0
  while true do
    local chunk = redis.call('ZRANGE', zset, start, start + 99, 'WITHSCORES')
    if #chunk == 0 then return window end
    for j = 1, #chunk, 2 do
      freed = freed + amount_of(chunk[j])
      if freed >= excess then return math.max(0, tonumber(chunk[j + 1]) + window - now) end
    end
    start = start + 100
  end
end

local function reset_in(zset, now, window)
  local newest = redis.call('ZRANGE', zset, -1, -1, 'WITHSCORES')
  if #newest == 0 then return 0 end
  return math.max(0, tonumber(newest[2]) + window - now)
end

-- Correct one log by `delta`: a charge adds an entry; a refund takes from the oldest entries first, so it
-- never frees room for longer than the corrected request's own entry would have held it.
local function adjust_log(zset, meta, now, delta)
  local window = tonumber(redis.call('HGET', meta, 'win'))
  if not window then return 0 end
  prune(zset, meta, now - window)
  total_of(zset, meta)
  if delta > 0 then
    add(zset, meta, now, delta, window)
    return 1
  end
  local owed = -delta
  while owed > 0 do
    local oldest = redis.call('ZRANGE', zset, 0, 0, 'WITHSCORES')
    if #oldest == 0 then break end
    local member, score = oldest[1], oldest[2]
    local amount = amount_of(member)
    local taken = math.min(owed, amount)
    redis.call('ZREM', zset, member)
    if amount > taken then
      redis.call('ZADD', zset, score, string.match(member, '^(%d+):') .. ':' .. (amount - taken))
    end
    redis.call('HINCRBY', meta, 'total', -taken)
    owed = owed - taken
  end
  return 1
end
"""

ACQUIRE = (
    SLIDING_LOG
    + """
-- KEYS: per limit i, KEYS[2i-1] = log, KEYS[2i] = hash.  ARGV: now ('' = Redis TIME), n, then per limit
-- i: limit, window_ms, cost.  Returns {allowed, refused index, impossible, wait_ms, total_1, reset_ms_1, ...}.
local now = now_ms(ARGV[1])
local n = tonumber(ARGV[2])
local totals, refused, impossible, wait = {}, 0, 0, 0
for i = 1, n do
  local zset, meta = KEYS[2 * i - 1], KEYS[2 * i]
  local limit, window, cost = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  prune(zset, meta, now - window)
  totals[i] = total_of(zset, meta)
  if totals[i] + cost > limit then
    if refused == 0 then refused = i end
    if cost > limit then impossible = 1
    else wait = math.max(wait, wait_for(zset, totals[i] + cost - limit, now, window)) end
  end
end
local out = {refused == 0 and 1 or 0, refused, impossible, math.ceil(wait)}
for i = 1, n do
  local zset, meta = KEYS[2 * i - 1], KEYS[2 * i]
  local window, cost = tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  if refused == 0 and cost > 0 then totals[i] = add(zset, meta, now, cost, window) end
  out[#out + 1] = totals[i]
  out[#out + 1] = math.ceil(reset_in(zset, now, window))
end
return out
"""
)

ADJUST = (
    SLIDING_LOG
    + """
-- KEYS: log, hash.  ARGV: now ('' = Redis TIME), delta.
return adjust_log(KEYS[1], KEYS[2], now_ms(ARGV[1]), tonumber(ARGV[2]))
"""
)

RESERVE = """
-- KEYS: counter.  ARGV: amount, limit, ttl_seconds.  Returns {allowed, used, created}.
local raw = redis.call('GET', KEYS[1])
local used = 0
if raw then used = tonumber(raw) end
local amount, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
if used + amount > limit then return {0, used, 0} end
local after = redis.call('INCRBY', KEYS[1], amount)
if not raw then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return {1, after, 1}
end
return {1, after, 0}
"""

SETTLE = """
-- KEYS: counter.  ARGV: delta.  A missing counter stays missing (nil), so the next reserve re-seeds it.
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
return redis.call('INCRBY', KEYS[1], ARGV[1])
"""
