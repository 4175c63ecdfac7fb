"""Lua scripts of the Redis circuit breaker: each decision is one atomic EVALSHA, the transitions the same as
`breaker_memory`'s.

A circuit is one hash `cb:{name}` with fields state, consecutive, win_start, win_total, win_fail, opened_at,
half_open_at, probes, probe_ok, successes, failures, opened. Times are milliseconds from Redis' own clock
(`TIME`), so gateway hosts with skewed clocks agree; tests may pass a time instead. Every write refreshes a TTL
(`ttl_ms`), so the circuit of a provider removed from the catalog does not stay behind forever.
"""

from __future__ import annotations

_COMMON = """
local function now_ms(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end

local function num(key, field)
  return tonumber(redis.call('HGET', key, field)) or 0
end
"""

ALLOW = (
    _COMMON
    + """
-- KEYS: circuit.  ARGV: now ('' = Redis TIME), cooldown_ms, probes, ttl_ms.
-- Returns {allowed, previous state, state, retry_in_ms}.
local key = KEYS[1]
local state = redis.call('HGET', key, 'state')
if not state or state == 'closed' then return {1, 'closed', 'closed', 0} end
local now, cooldown, max_probes = now_ms(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local previous = state
if state == 'open' then
  local wait = num(key, 'opened_at') + cooldown - now
  if wait > 0 then return {0, 'open', 'open', math.ceil(wait)} end
  redis.call('HSET', key, 'state', 'half_open', 'half_open_at', now, 'probes', 0, 'probe_ok', 0)
end
if now - num(key, 'half_open_at') >= cooldown then
  -- Probes whose outcome never came (a cancelled request, a crashed instance) are handed out again.
  redis.call('HSET', key, 'half_open_at', now, 'probes', num(key, 'probe_ok'))
end
redis.call('PEXPIRE', key, ARGV[4])
if num(key, 'probes') < max_probes then
  redis.call('HINCRBY', key, 'probes', 1)
  return {1, previous, 'half_open', 0}
end
return {0, previous, 'half_open', 0}
"""
)

RECORD = (
    _COMMON
    + """
-- KEYS: circuit.  ARGV: now ('' = Redis TIME), ok (1/0, or '-' for none), failure_threshold, error_rate,
-- min_requests, window_ms, probes, ttl_ms, earlier successes (counted before this outcome; an instance that
-- saw the circuit closed batches its successes).  Returns {previous state, state}.
local key = KEYS[1]
local now, ok, outcome = now_ms(ARGV[1]), ARGV[2] == '1', ARGV[2] ~= '-'
local earlier = tonumber(ARGV[9] or '0')
local threshold, rate, min_requests = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local window, max_probes = tonumber(ARGV[6]), tonumber(ARGV[7])
local state = redis.call('HGET', key, 'state')
if not state then
  state = 'closed'
  redis.call('HSET', key, 'state', 'closed', 'win_start', now)
end
local previous = state
redis.call('PEXPIRE', key, ARGV[8])
if earlier > 0 then
  redis.call('HINCRBY', key, 'successes', earlier)
  -- They happened while the circuit was closed; a circuit opened since then is not closed by them.
  if state == 'closed' then
    if now - num(key, 'win_start') >= window then
      redis.call('HSET', key, 'win_start', now, 'win_total', 0, 'win_fail', 0)
    end
    redis.call('HINCRBY', key, 'win_total', earlier)
    redis.call('HSET', key, 'consecutive', 0)
  end
end
if not outcome then return {previous, state} end
redis.call('HINCRBY', key, ok and 'successes' or 'failures', 1)

local function open()
  redis.call('HSET', key, 'state', 'open', 'opened_at', now)
  redis.call('HINCRBY', key, 'opened', 1)
  state = 'open'
end

if state == 'half_open' then
  if not ok then
    open()
  elseif redis.call('HINCRBY', key, 'probe_ok', 1) >= max_probes then
    redis.call('HSET', key, 'state', 'closed', 'consecutive', 0, 'win_start', now, 'win_total', 0, 'win_fail', 0)
    state = 'closed'
  end
elseif state == 'closed' then
  if now - num(key, 'win_start') >= window then
    redis.call('HSET', key, 'win_start', now, 'win_total', 0, 'win_fail', 0)
  end
  local total = redis.call('HINCRBY', key, 'win_total', 1)
  if ok then
    redis.call('HSET', key, 'consecutive', 0)
  else
    local consecutive = redis.call('HINCRBY', key, 'consecutive', 1)
    local failed = redis.call('HINCRBY', key, 'win_fail', 1)
    if consecutive >= threshold or (total >= min_requests and failed >= rate * total) then open() end
  end
end
-- open: a late outcome of a call let through before the circuit opened changes nothing
return {previous, state}
"""
)
