"""`LimitState` in Redis: a request's whole admit is one script call, its whole settle another.

Uses the same key layout as `RedisRateLimiter` and `RedisBudgetCounter`, so both views of the counters agree
(the admin API and the tests read them through those classes).
"""

from __future__ import annotations

import redis.asyncio as aioredis

from gateway.store.state.base import BudgetDecision, check_request
from gateway.store.state.limit_state import AdmitOutcome, BudgetReservation, Corrections, RateScope
from gateway.store.state.lua_batch import ADMIT, SETTLE_ALL
from gateway.store.state.redis_backend import Clock, _decision, _log_keys, _ms, map_redis_errors


class RedisLimitState:
    """Admit and settle in one round trip each."""

    def __init__(self, client: aioredis.Redis, *, clock: Clock | None = None) -> None:
        """Args:
        client: A `redis.asyncio` client, shared with the other Redis backends.
        clock: Seconds since the epoch, for tests only; None uses Redis' own clock, which every process shares.
        """
        self._admit = client.register_script(ADMIT)
        self._settle = client.register_script(SETTLE_ALL)
        self._clock = clock

    def _now(self) -> str:
        return "" if self._clock is None else repr(self._clock() * 1000)

    async def admit(self, scopes: list[RateScope], budgets: list[BudgetReservation]) -> AdmitOutcome:
        keys: list[str] = []
        args: list[str | int] = [self._now(), len(scopes)]
        for scope in scopes:
            check_request(scope.limits, scope.cost)
            args.append(len(scope.limits))
            for limit in scope.limits:
                keys += _log_keys(scope.key, limit.name)
                args += [int(limit.limit), _ms(limit.window_seconds), int(scope.cost.get(limit.name, 0))]
        args.append(len(budgets))
        for budget in budgets:
            if budget.amount < 0:
                raise ValueError("amount must be >= 0")
            keys.append(budget.key)
            args += [budget.amount, budget.limit, budget.ttl_seconds]
        with map_redis_errors():
            raw_scopes, raw_budgets = await self._admit(keys=keys, args=args)
        rates = [
            _decision(scope.limits, [int(v) for v in raw])
            for scope, raw in zip(scopes, raw_scopes, strict=False)
        ]
        verdicts = [
            BudgetDecision(allowed=bool(ok), used=int(used), limit=budget.limit, created=bool(created))
            for budget, (ok, used, created) in zip(budgets, raw_budgets, strict=False)
        ]
        return AdmitOutcome(rates, verdicts)

    async def correct(self, corrections: Corrections) -> None:
        rates = [(key, name, delta) for key, name, delta in corrections.rates if delta]
        budgets = [(key, delta) for key, delta in corrections.budgets if delta]
        if not rates and not budgets:
            return
        keys: list[str] = []
        args: list[str | int] = [self._now(), len(rates)]
        for key, name, delta in rates:
            keys += _log_keys(key, name)
            args.append(delta)
        for key, delta in budgets:
            keys.append(key)
            args.append(delta)
        with map_redis_errors():
            await self._settle(keys=keys, args=args)
