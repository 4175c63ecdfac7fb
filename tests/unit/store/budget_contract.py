"""What every `BudgetCounter` must do, run over each backend.

Not collected on its own: each backend's test module imports these tests and provides the `counter` fixture.
"""

from __future__ import annotations

import asyncio

from gateway.store.state import BudgetCounter

KEY = "budget:tenant-1:2025-01"
TTL = 3600


async def test_reserve_adds_while_within_the_limit(counter: BudgetCounter) -> None:
    first = await counter.reserve(KEY, 60, 100, TTL)
    second = await counter.reserve(KEY, 40, 100, TTL)
    assert (first.allowed, second.allowed, second.used, second.limit) == (True, True, 100, 100)


async def test_reserve_refuses_an_overshoot_and_leaves_the_counter(counter: BudgetCounter) -> None:
    await counter.reserve(KEY, 60, 100, TTL)
    decision = await counter.reserve(KEY, 41, 100, TTL)
    assert (decision.allowed, decision.used) == (False, 60)
    assert await counter.used(KEY) == 60


async def test_reserve_reports_created_only_for_a_new_counter(counter: BudgetCounter) -> None:
    first = await counter.reserve(KEY, 1, 100, TTL)
    second = await counter.reserve(KEY, 1, 100, TTL)
    assert (first.created, second.created) == (True, False)


async def test_concurrent_reservations_never_overshoot(counter: BudgetCounter) -> None:
    async def one() -> bool:
        await asyncio.sleep(0)  # interleave the tasks before they reserve
        return (await counter.reserve(KEY, 7, 500, TTL)).allowed

    admitted = await asyncio.gather(*(one() for _ in range(200)))
    assert sum(admitted) == 500 // 7
    assert await counter.used(KEY) == 7 * (500 // 7)


async def test_settle_adds_the_difference_even_past_the_limit(counter: BudgetCounter) -> None:
    await counter.reserve(KEY, 90, 100, TTL)
    assert await counter.settle(KEY, 90, 130) == 130
    assert await counter.used(KEY) == 130


async def test_settle_refunds_an_overestimate(counter: BudgetCounter) -> None:
    await counter.reserve(KEY, 90, 100, TTL)
    await counter.settle(KEY, 90, 20)
    assert (await counter.reserve(KEY, 80, 100, TTL)).allowed


async def test_settle_leaves_a_missing_counter_missing(counter: BudgetCounter) -> None:
    assert await counter.settle(KEY, 10, 20) is None
    assert (await counter.reserve(KEY, 1, 100, TTL)).created


async def test_used_is_zero_for_a_missing_counter(counter: BudgetCounter) -> None:
    assert await counter.used(KEY) == 0


async def test_seed_sets_a_missing_counter(counter: BudgetCounter) -> None:
    assert await counter.seed(KEY, 70, TTL)
    assert (await counter.reserve(KEY, 31, 100, TTL)).allowed is False


async def test_seed_never_overwrites_an_existing_counter(counter: BudgetCounter) -> None:
    await counter.reserve(KEY, 5, 100, TTL)
    assert not await counter.seed(KEY, 70, TTL)
    assert await counter.used(KEY) == 5
