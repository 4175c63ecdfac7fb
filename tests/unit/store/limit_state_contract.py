"""What every `LimitState` must do (one request's scopes and budgets as one all-or-nothing decision).

Not collected on its own: each backend's test module imports these tests and provides `limit_state`, built on
the same `limiter` and `counter` fixtures (and `clock`) that the tests read the counters through.
"""

from __future__ import annotations

from gateway.store.state import Limit, RateLimiter
from gateway.store.state.base import BudgetCounter
from gateway.store.state.limit_state import BudgetReservation, Corrections, LimitState, RateScope

TWO_REQUESTS = [Limit("requests", 2, 60), Limit("tokens", 1000, 60)]
TTL = 3600


def _scope(key: str = "tenant:t", tokens: int = 10, limits: list[Limit] | None = None) -> RateScope:
    return RateScope(key, limits or TWO_REQUESTS, {"requests": 1, "tokens": tokens})


async def _requests_left(limiter: RateLimiter, key: str = "tenant:t") -> int:
    decision = await limiter.acquire(key, TWO_REQUESTS, {})  # cost 0: reads without consuming
    return decision.remaining["requests"]


async def test_admit_consumes_every_scope_and_budget(
    limit_state: LimitState, limiter: RateLimiter, counter: BudgetCounter
) -> None:
    outcome = await limit_state.admit(
        [_scope("key:k"), _scope()],
        [BudgetReservation("b:tokens", 40, 100, TTL), BudgetReservation("b:eur", 1, 5, TTL)],
    )
    assert outcome.allowed
    assert [d.allowed for d in outcome.rates] == [True, True]
    assert outcome.rates[1].remaining == {"requests": 1, "tokens": 990}
    assert [(b.used, b.created) for b in outcome.budgets] == [(40, True), (1, True)]
    assert await _requests_left(limiter, "key:k") == 1 and await _requests_left(limiter) == 1
    assert await counter.used("b:tokens") == 40
    again = await limit_state.admit([_scope()], [BudgetReservation("b:tokens", 40, 100, TTL)])
    assert [(b.used, b.created) for b in again.budgets] == [(80, False)]


async def test_budget_refusal_takes_nothing_from_the_rate_limits(
    limit_state: LimitState, limiter: RateLimiter, counter: BudgetCounter
) -> None:
    outcome = await limit_state.admit([_scope()], [BudgetReservation("b", 101, 100, TTL)])
    assert not outcome.allowed and outcome.budgets[-1].allowed is False
    assert await _requests_left(limiter) == 2
    assert await counter.used("b") == 0


async def test_refusal_of_a_later_budget_releases_the_earlier_one(
    limit_state: LimitState, counter: BudgetCounter
) -> None:
    budgets = [BudgetReservation("b:tokens", 10, 100, TTL), BudgetReservation("b:eur", 1, 0, TTL)]
    outcome = await limit_state.admit([], budgets)
    assert [b.allowed for b in outcome.budgets] == [True, False]
    assert await counter.used("b:tokens") == 0


async def test_rate_refusal_in_a_later_scope_takes_nothing_from_earlier_scopes_or_budgets(
    limit_state: LimitState, limiter: RateLimiter, counter: BudgetCounter
) -> None:
    tight = [Limit("requests", 0, 60)]
    outcome = await limit_state.admit(
        [_scope("key:k"), _scope(limits=tight)], [BudgetReservation("b", 1, 100, TTL)]
    )
    assert [d.allowed for d in outcome.rates] == [True, False]
    assert outcome.rates[1].limit_name == "requests" and outcome.budgets == []
    assert await _requests_left(limiter, "key:k") == 2
    assert await counter.used("b") == 0


async def test_refusal_after_the_limit_reports_retry_after(limit_state: LimitState) -> None:
    assert (await limit_state.admit([_scope()], [])).allowed
    assert (await limit_state.admit([_scope()], [])).allowed
    refused = await limit_state.admit([_scope()], [])
    assert not refused.allowed
    assert refused.rates[0].retry_after is not None and 0 < refused.rates[0].retry_after <= 60


async def test_correct_moves_rate_tokens_and_budgets_and_leaves_missing_counters_missing(
    limit_state: LimitState, limiter: RateLimiter, counter: BudgetCounter
) -> None:
    await limit_state.admit([_scope(tokens=100)], [BudgetReservation("b", 100, 1000, TTL)])
    await limit_state.correct(Corrections([("tenant:t", "tokens", -60)], [("b", 25), ("gone", 7)]))
    decision = await limiter.acquire("tenant:t", TWO_REQUESTS, {})
    assert decision.remaining["tokens"] == 1000 - 40
    assert await counter.used("b") == 125
    assert await counter.used("gone") == 0
    assert (await counter.reserve("gone", 1, 10, TTL)).created  # still missing: the next admit re-seeds it
