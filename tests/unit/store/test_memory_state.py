"""The in-process backends: the shared contracts plus what only memory can show (expiry by a fake clock)."""

from __future__ import annotations

import pytest

from gateway.store.state import Limit, MemoryBudgetCounter, MemoryRateLimiter
from gateway.store.state.limit_state import SequentialLimitState
from tests.unit.store.budget_contract import *  # the shared contract tests run here
from tests.unit.store.clock import FakeClock
from tests.unit.store.limit_state_contract import *
from tests.unit.store.rate_limit_contract import *


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limiter(clock: FakeClock) -> MemoryRateLimiter:
    return MemoryRateLimiter(clock=clock)


@pytest.fixture
def counter(clock: FakeClock) -> MemoryBudgetCounter:
    return MemoryBudgetCounter(clock=clock)


async def test_budget_counter_expires_after_its_ttl(counter: MemoryBudgetCounter, clock: FakeClock) -> None:
    await counter.reserve("k", 50, 100, ttl_seconds=10)
    clock.advance(10)
    assert await counter.used("k") == 0


async def test_seeded_counter_keeps_its_ttl(counter: MemoryBudgetCounter, clock: FakeClock) -> None:
    await counter.seed("k", 50, ttl_seconds=10)
    clock.advance(9)
    assert await counter.used("k") == 50


async def test_idle_keys_are_swept(limiter: MemoryRateLimiter, clock: FakeClock) -> None:
    limit = [Limit("requests", 5, 1)]
    await limiter.acquire("idle", limit, {"requests": 1})
    clock.advance(2)
    for _ in range(1024):
        await limiter.acquire("busy", [Limit("requests", 5000, 1)], {"requests": 0})
    assert ("idle", "requests") not in limiter._logs


@pytest.fixture
def limit_state(limiter: MemoryRateLimiter, counter: MemoryBudgetCounter) -> SequentialLimitState:
    return SequentialLimitState(limiter, counter)
