"""What every `RateLimiter` must do, run over each backend.

Not collected on its own (no `test_` prefix): each backend's test module imports these tests and provides the
`limiter` fixture (built on the `clock` fixture, a `FakeClock`).
"""

from __future__ import annotations

import pytest

from gateway.store.state import Limit, RateLimiter
from tests.unit.store.clock import FakeClock

REQUESTS = Limit("requests", 3, 60)
TOKENS = Limit("tokens", 100, 60)
BOTH = [REQUESTS, TOKENS]


async def _admit_n(limiter: RateLimiter, n: int, key: str = "t") -> list[bool]:
    return [(await limiter.acquire(key, [REQUESTS], {"requests": 1})).allowed for _ in range(n)]


async def test_acquire_admits_exactly_the_limit_within_a_window(limiter: RateLimiter) -> None:
    assert await _admit_n(limiter, 4) == [True, True, True, False]


async def test_window_slides_instead_of_resetting_at_a_boundary(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    await _admit_n(limiter, 2)
    clock.advance(30)
    await _admit_n(limiter, 1)
    clock.advance(30.5)  # the first two slid out, the one from t=30 still counts
    assert await _admit_n(limiter, 3) == [True, True, False]


async def test_refusal_while_window_is_full_until_oldest_slides_out(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    await _admit_n(limiter, 3)
    clock.advance(59.9)
    assert await _admit_n(limiter, 1) == [False]
    clock.advance(0.2)
    assert await _admit_n(limiter, 1) == [True]


async def test_refusal_consumes_nothing_from_any_limit(limiter: RateLimiter) -> None:
    await limiter.acquire("t", BOTH, {"requests": 1, "tokens": 90})
    refused = await limiter.acquire("t", BOTH, {"requests": 1, "tokens": 20})
    after = await limiter.acquire("t", BOTH, {"requests": 1, "tokens": 10})
    assert (refused.allowed, refused.limit_name) == (False, "tokens")
    assert after.allowed and after.remaining == {"requests": 1, "tokens": 0}


async def test_refused_decision_names_the_first_refusing_limit(limiter: RateLimiter) -> None:
    await limiter.acquire("t", BOTH, {"requests": 3, "tokens": 100})
    decision = await limiter.acquire("t", BOTH, {"requests": 1, "tokens": 1})
    assert decision.limit_name == "requests"


async def test_allowed_decision_reports_remaining_and_reset(limiter: RateLimiter, clock: FakeClock) -> None:
    await limiter.acquire("t", BOTH, {"requests": 1, "tokens": 40})
    clock.advance(10)
    decision = await limiter.acquire("t", BOTH, {"requests": 1, "tokens": 25})
    assert decision.allowed and decision.retry_after is None
    assert decision.remaining == {"requests": 1, "tokens": 35}
    assert decision.reset_seconds == pytest.approx({"requests": 60.0, "tokens": 60.0})


async def test_retry_after_is_the_wait_until_enough_room(limiter: RateLimiter, clock: FakeClock) -> None:
    await limiter.acquire("t", [TOKENS], {"tokens": 30})
    clock.advance(10)
    await limiter.acquire("t", [TOKENS], {"tokens": 60})
    clock.advance(5)
    decision = await limiter.acquire("t", [TOKENS], {"tokens": 50})  # needs 40 freed: both entries
    assert decision.retry_after == pytest.approx(55.0)
    assert decision.reset_seconds["tokens"] == pytest.approx(55.0)


async def test_retry_after_is_none_when_the_cost_exceeds_the_limit(limiter: RateLimiter) -> None:
    decision = await limiter.acquire("t", BOTH, {"requests": 1, "tokens": 101})
    assert (decision.allowed, decision.limit_name, decision.retry_after) == (False, "tokens", None)


async def test_missing_cost_counts_as_zero(limiter: RateLimiter) -> None:
    await limiter.acquire("t", BOTH, {"requests": 1})
    decision = await limiter.acquire("t", BOTH, {"requests": 1})
    assert decision.remaining == {"requests": 1, "tokens": 100}


async def test_keys_are_limited_independently(limiter: RateLimiter) -> None:
    await _admit_n(limiter, 3, key="a")
    assert await _admit_n(limiter, 1, key="b") == [True]


async def test_refund_frees_room_at_once(limiter: RateLimiter) -> None:
    await limiter.acquire("t", [TOKENS], {"tokens": 100})
    await limiter.adjust("t", "tokens", -30)
    assert (await limiter.acquire("t", [TOKENS], {"tokens": 30})).allowed


async def test_charge_may_push_past_the_limit(limiter: RateLimiter) -> None:
    await limiter.acquire("t", [TOKENS], {"tokens": 90})
    await limiter.adjust("t", "tokens", 50)
    decision = await limiter.acquire("t", [TOKENS], {"tokens": 1})
    assert not decision.allowed and decision.remaining == {"tokens": 0}


async def test_refund_takes_from_the_oldest_entries(limiter: RateLimiter, clock: FakeClock) -> None:
    await limiter.acquire("t", [TOKENS], {"tokens": 40})
    clock.advance(30)
    await limiter.acquire("t", [TOKENS], {"tokens": 60})
    await limiter.adjust("t", "tokens", -50)  # 40 from the first entry, 10 from the second
    clock.advance(1)
    decision = await limiter.acquire("t", [TOKENS], {"tokens": 51})
    assert decision.retry_after == pytest.approx(59.0)


async def test_adjust_without_consumption_is_ignored(limiter: RateLimiter) -> None:
    await limiter.adjust("nobody", "tokens", -10)
    assert (await limiter.acquire("nobody", [TOKENS], {"tokens": 100})).allowed


async def test_duplicate_limit_names_are_rejected(limiter: RateLimiter) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        await limiter.acquire("t", [REQUESTS, REQUESTS], {"requests": 1})


async def test_negative_cost_is_rejected(limiter: RateLimiter) -> None:
    with pytest.raises(ValueError, match="costs"):
        await limiter.acquire("t", [TOKENS], {"tokens": -1})
