"""Lua scripts run atomically by Redis: every rate-limit or budget decision is one EVALSHA round trip.

Rate limits are an exact sliding log per (key, limit name): a sorted set of entries scored by time in ms, each
member `"<seq>:<amount>"`, plus a hash `{total, seq, win}` holding the running sum so a decision never sums the
whole window. Time comes from Redis' own clock (`TIME`) so gateway hosts with skewed clocks agree; tests may pass
a time instead. Redis >= 5 replicates script effects, so reading `TIME` before writing is allowed.

A script reads each log once and writes its hash once (`open_log`, then `add` or `close_log`): each call from
Lua into Redis costs about as much as the small work it does, so the calls are counted
(`bench/state_commands.py`) and kept few; the replies and the keys left behind are what one call per step gave.
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

-- One log as this script call sees it: read once, written once. Each call to Redis costs about as much as the
-- work it does, and the script is atomic, so the hash is read with one HMGET and written with one HSET.
--   newest: the newest entry's score, nil when there is no log
--   total, seq: the hash's running sum and entry number (nil until read)
--   stale: a hash left without its log (expired or emptied), dropped unless rewritten, so that a limit only
--          ever checked at cost 0 leaves no key without a TTL behind
--   dirty: total changed and is not written yet
--   hashless: the log had no hash when read (lost, e.g. evicted), so a write of it needs the log's TTL
--   cutoff: entries up to this score are pruned already
local function open_log(zset, meta)
  local log = {zset = zset, meta = meta, cutoff = -math.huge, stale = false, dirty = false}
  local newest = redis.call('ZRANGE', zset, -1, -1, 'WITHSCORES')
  if #newest == 0 then
    log.total, log.seq, log.stale = 0, 0, true
  else
    log.newest = tonumber(newest[2])
  end
  return log
end

local function read_hash(log)
  local h = redis.call('HMGET', log.meta, 'total', 'seq')
  log.total, log.seq = tonumber(h[1]) or 0, tonumber(h[2]) or 0
  log.hashless = not h[1] and not h[2]
end

-- Drop the entries that slid out of the window, keeping the running total in step.
local function prune(log, cutoff)
  if not log.newest or cutoff <= log.cutoff then return end
  log.cutoff = cutoff
  if log.newest <= cutoff then  -- all of it: the log starts again
    redis.call('DEL', log.zset, log.meta)
    log.newest, log.total, log.seq, log.dirty = nil, 0, 0, false
    return
  end
  if not log.total then read_hash(log) end
  local old = redis.call('ZRANGEBYSCORE', log.zset, '-inf', cutoff)
  if #old == 0 then return end
  for _, m in ipairs(old) do log.total = log.total - amount_of(m) end
  redis.call('ZREMRANGEBYSCORE', log.zset, '-inf', cutoff)
  log.dirty = true
end

local function add(log, now, amount, window)
  if not log.total then read_hash(log) end
  log.seq, log.total = log.seq + 1, log.total + amount
  if redis.call('ZADD', log.zset, now, log.seq .. ':' .. amount) == 1 then
    log.newest = math.max(log.newest or now, now)
  else  -- rewrote an entry of the same number (the hash was lost): the newest may be another one now
    log.newest = tonumber(redis.call('ZRANGE', log.zset, -1, -1, 'WITHSCORES')[2])
  end
  redis.call('HSET', log.meta, 'seq', log.seq, 'total', log.total, 'win', window)
  -- Everything in the log is older than now, so it is all gone once the window has passed.
  redis.call('PEXPIRE', log.zset, window)
  redis.call('PEXPIRE', log.meta, window)
  log.stale, log.dirty, log.hashless = false, false, false
  return log.total
end

-- Write what pruning or a refund changed, when no add wrote the hash since.
local function close_log(log)
  if log.stale then
    redis.call('DEL', log.meta)
  elseif log.dirty then
    redis.call('HSET', log.meta, 'total', log.total)
    if log.hashless then  -- the hash was lost while its log lived on: written again, it expires with the log
      local ttl = redis.call('PTTL', log.zset)
      if ttl > 0 then redis.call('PEXPIRE', log.meta, ttl) else redis.call('DEL', log.meta) end
    end
  end
  log.stale, log.dirty = false, false
end

-- The logs of one script call by key, so a log named twice is read once and stays in step.
local opened, opened_order = {}, {}
local function log_of(zset, meta)
  if not opened[zset] then
    opened[zset] = open_log(zset, meta)
    opened_order[#opened_order + 1] = opened[zset]
  end
  return opened[zset]
end

local function close_all()
  for _, log in ipairs(opened_order) do close_log(log) end
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

local function reset_in(log, now, window)
  if not log.newest then return 0 end
  return math.max(0, log.newest + window - now)
end

-- Take `owed` from the oldest entries: whole ones, then part of the next, which keeps its time.
local function refund(log, owed)
  while owed > 0 and log.newest do
    local chunk = redis.call('ZRANGE', log.zset, 0, 9, 'WITHSCORES')
    if #chunk == 0 then return end
    local gone, rest = {}, nil
    for j = 1, #chunk, 2 do
      local member = chunk[j]
      local amount = amount_of(member)
      local taken = math.min(owed, amount)
      gone[#gone + 1] = member
      if amount > taken then rest = string.match(member, '^(%d+):') .. ':' .. (amount - taken) end
      log.total, owed, log.dirty = log.total - taken, owed - taken, true
      if owed == 0 then
        -- The remainder first: a log emptied by ZREM is deleted, and ZADD would create it again without a TTL.
        if rest then redis.call('ZADD', log.zset, chunk[j + 1], rest) end
        redis.call('ZREM', log.zset, unpack(gone))
        return
      end
    end
    redis.call('ZREM', log.zset, unpack(gone))
  end
end

-- Correct one log by `delta`: a charge adds an entry; a refund takes from the oldest entries first, so it
-- never frees room for longer than the corrected request's own entry would have held it.
local function adjust_log(zset, meta, now, delta)
  local h = redis.call('HMGET', meta, 'win', 'total', 'seq')
  local window = tonumber(h[1])
  if not window then return 0 end
  local log = open_log(zset, meta)
  if log.newest then log.total, log.seq = tonumber(h[2]) or 0, tonumber(h[3]) or 0 end
  prune(log, now - window)
  if delta > 0 then
    add(log, now, delta, window)
  else
    refund(log, -delta)
    close_log(log)
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
local logs, totals, refused, impossible, wait = {}, {}, 0, 0, 0
for i = 1, n do
  local limit, window, cost = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  logs[i] = log_of(KEYS[2 * i - 1], KEYS[2 * i])
  prune(logs[i], now - window)
  totals[i] = logs[i].total
  if totals[i] + cost > limit then
    if refused == 0 then refused = i end
    if cost > limit then impossible = 1
    else wait = math.max(wait, wait_for(logs[i].zset, totals[i] + cost - limit, now, window)) end
  end
end
local out = {refused == 0 and 1 or 0, refused, impossible, math.ceil(wait)}
for i = 1, n do
  local window, cost = tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  if refused == 0 and cost > 0 then totals[i] = add(logs[i], now, cost, window) end
  out[#out + 1] = totals[i]
  out[#out + 1] = math.ceil(reset_in(logs[i], now, window))
end
close_all()
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
