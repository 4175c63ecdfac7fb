"""One request's limits as one decision: every rate scope and budget at admit, every correction at settle.

`SequentialLimitState` composes any `RateLimiter` and `BudgetCounter` call by call (the in-process default,
where a call costs microseconds). `redis_admit.RedisLimitState` does the same in one script call each, which
matters because every redis-py round trip costs ~0.2 ms of gateway CPU.

Both are all-or-nothing at admit: a refused request holds nothing afterwards.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Protocol

from gateway.store.state.base import (
    BudgetCounter,
    BudgetDecision,
    Limit,
    RateDecision,
    RateLimiter,
    StateUnavailableError,
)


@dataclass(frozen=True)
class RateScope:
    """The limits of one scope (`tenant:<id>` or `key:<id>`) and what this request costs in each."""

    key: str
    limits: list[Limit]
    cost: dict[str, int]


@dataclass(frozen=True)
class BudgetReservation:
    """Reserve `amount` on the counter `key` unless that takes it past `limit`."""

    key: str
    amount: int
    limit: int
    ttl_seconds: int


@dataclass
class AdmitOutcome:
    """The decisions, in order, up to and including the first refusal."""

    rates: list[RateDecision] = field(default_factory=list)
    budgets: list[BudgetDecision] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return all(d.allowed for d in self.rates) and all(d.allowed for d in self.budgets)


@dataclass(frozen=True)
class Corrections:
    """Settle-time corrections: rate logs by (scope key, limit name, delta), budget counters by (key, delta)."""

    rates: list[tuple[str, str, int]] = field(default_factory=list)
    budgets: list[tuple[str, int]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.rates or self.budgets)


class LimitState(Protocol):
    """Admit and settle one request's limits. Raises only `StateUnavailableError` for a store failure."""

    async def admit(self, scopes: list[RateScope], budgets: list[BudgetReservation]) -> AdmitOutcome: ...

    async def correct(self, corrections: Corrections) -> None: ...


class SequentialLimitState:
    """Call by call over a rate limiter and a budget counter, undoing what was taken when a later one refuses."""

    def __init__(self, rate: RateLimiter, budgets: BudgetCounter) -> None:
        self._rate = rate
        self._budgets = budgets

    async def admit(self, scopes: list[RateScope], budgets: list[BudgetReservation]) -> AdmitOutcome:
        outcome = AdmitOutcome()
        taken_scopes: list[RateScope] = []
        taken_budgets: list[BudgetReservation] = []
        try:
            for scope in scopes:
                decision = await self._rate.acquire(scope.key, scope.limits, scope.cost)
                outcome.rates.append(decision)
                if not decision.allowed:
                    break
                taken_scopes.append(scope)
            else:
                for budget in budgets:
                    verdict = await self._budgets.reserve(
                        budget.key, budget.amount, budget.limit, budget.ttl_seconds
                    )
                    outcome.budgets.append(verdict)
                    if not verdict.allowed:
                        break
                    taken_budgets.append(budget)
            if not outcome.allowed:
                await self._undo(taken_scopes, taken_budgets)
        except BaseException:
            with contextlib.suppress(StateUnavailableError):  # the store failed: nothing more can be undone
                await self._undo(taken_scopes, taken_budgets)
            raise
        return outcome

    async def _undo(self, scopes: list[RateScope], budgets: list[BudgetReservation]) -> None:
        for scope in scopes:
            for name, amount in scope.cost.items():
                if amount:
                    await self._rate.adjust(scope.key, name, -amount)
        for budget in budgets:
            await self._budgets.settle(budget.key, budget.amount, 0)

    async def correct(self, corrections: Corrections) -> None:
        for key, name, delta in corrections.rates:
            await self._rate.adjust(key, name, delta)
        for key, delta in corrections.budgets:
            await self._budgets.settle(key, 0, delta)
