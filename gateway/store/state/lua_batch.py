"""Lua scripts that decide a whole request in one round trip: every rate scope and budget at admit, every
correction at settle. Each redis-py call costs ~0.2 ms of gateway CPU, so six calls per request were a third of
the full pipeline's CPU (bench/results/profile_full.md).

ADMIT is all-or-nothing: it checks every limit of every scope and every budget first and writes only when all
have room, so a refused request leaves nothing behind to release. The per-scope reply has the same shape as
`ACQUIRE`'s, so `redis_backend._decision` reads both.
"""

from __future__ import annotations

from gateway.store.state.lua import SLIDING_LOG

ADMIT = (
    SLIDING_LOG
    + """
-- KEYS: for every limit of every scope, in order: log, hash; then one counter per budget.
-- ARGV: now ('' = Redis TIME), n_scopes, per scope: n_limits then per limit: limit, window_ms, cost;
--       then n_budgets, per budget: amount, limit, ttl_seconds.
-- Returns {scopes, budgets}: per evaluated scope {allowed, refused index, impossible, wait_ms, total_1,
-- reset_ms_1, ...}; per evaluated budget {allowed, used, created}. Evaluation stops at the first refusal.
local now = now_ms(ARGV[1])
local a, k = 3, 1
local scopes, refused_any = {}, false
for s = 1, tonumber(ARGV[2]) do
  local scope = {limits = {}, refused = 0, impossible = 0, wait = 0}
  local n = tonumber(ARGV[a])
  a = a + 1
  for i = 1, n do
    local lim = {log = log_of(KEYS[k], KEYS[k + 1]), limit = tonumber(ARGV[a]), window = tonumber(ARGV[a + 1]),
                 cost = tonumber(ARGV[a + 2])}
    prune(lim.log, now - lim.window)
    lim.total = lim.log.total
    if lim.total + lim.cost > lim.limit then
      if scope.refused == 0 then scope.refused = i end
      if lim.cost > lim.limit then scope.impossible = 1
      else scope.wait = math.max(scope.wait, wait_for(lim.log.zset, lim.total + lim.cost - lim.limit, now, lim.window)) end
    end
    scope.limits[i] = lim
    k, a = k + 2, a + 3
  end
  scopes[s] = scope
  if scope.refused ~= 0 then refused_any = true break end
end

local budgets = {}
if not refused_any then
  local n_budgets = tonumber(ARGV[a])
  a = a + 1
  for b = 1, n_budgets do
    local raw = redis.call('GET', KEYS[k])
    local used = raw and tonumber(raw) or 0
    local amount, limit = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
    budgets[b] = {key = KEYS[k], amount = amount, ttl = ARGV[a + 2], used = used, missing = not raw,
                  ok = used + amount <= limit}
    if not budgets[b].ok then refused_any = true break end
    k, a = k + 1, a + 3
  end
end

if not refused_any then
  for _, scope in ipairs(scopes) do
    for _, lim in ipairs(scope.limits) do
      if lim.cost > 0 then lim.total = add(lim.log, now, lim.cost, lim.window) end
    end
  end
  for _, budget in ipairs(budgets) do
    budget.used = redis.call('INCRBY', budget.key, budget.amount)
    if budget.missing then redis.call('EXPIRE', budget.key, budget.ttl) end
  end
end

local out_scopes = {}
for s, scope in ipairs(scopes) do
  local out = {scope.refused == 0 and 1 or 0, scope.refused, scope.impossible, math.ceil(scope.wait)}
  for _, lim in ipairs(scope.limits) do
    out[#out + 1] = lim.total
    out[#out + 1] = math.ceil(reset_in(lim.log, now, lim.window))
  end
  out_scopes[s] = out
end
close_all()
local out_budgets = {}
for b, budget in ipairs(budgets) do
  local created = (budget.missing and not refused_any) and 1 or 0
  out_budgets[b] = {budget.ok and 1 or 0, budget.used, created}
end
return {out_scopes, out_budgets}
"""
)

SETTLE_ALL = (
    SLIDING_LOG
    + """
-- KEYS: per rate correction: log, hash; then one counter per budget correction.
-- ARGV: now ('' = Redis TIME), n_rate, delta per rate correction, then delta per budget correction.
-- A missing budget counter stays missing, so the next admit re-seeds it from the ledger.
local now = now_ms(ARGV[1])
local n = tonumber(ARGV[2])
for i = 1, n do
  adjust_log(KEYS[2 * i - 1], KEYS[2 * i], now, tonumber(ARGV[2 + i]))
end
for j = 2 * n + 1, #KEYS do
  if redis.call('EXISTS', KEYS[j]) == 1 then
    redis.call('INCRBY', KEYS[j], ARGV[2 + n + (j - 2 * n)])
  end
end
return 1
"""
)
