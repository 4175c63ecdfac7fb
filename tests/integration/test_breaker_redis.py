"""The Redis circuit breaker against real Redis: the shared contract, two stores sharing circuits, two processes.

Uses db 12 (`TEST_BREAKER_REDIS_URL`), flushed before and after each test; no other db is touched.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest
import redis.asyncio as aioredis

from gateway.routing.breaker import Breakers, Transition
from gateway.store.state.breaker_base import BreakerPolicy
from gateway.store.state.breaker_redis import RedisBreakerStore
from gateway.store.state.redis_backend import client_from_url
from tests.unit.routing import test_breaker as contract
from tests.unit.routing.test_breaker import POLICY
from tests.unit.store.clock import FakeClock

# The shared store contract (`test_circuit_*`) runs here too, over Redis: `store` below overrides the in-process one.
globals().update(
    {name: getattr(contract, name) for name in dir(contract) if name.startswith("test_circuit_")}
)

BREAKER_REDIS_URL = os.environ.get("TEST_BREAKER_REDIS_URL", "redis://127.0.0.1:6379/12")
UNREACHABLE_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
async def client() -> AsyncIterator[aioredis.Redis]:
    redis = client_from_url(BREAKER_REDIS_URL)
    await redis.flushdb()
    yield redis
    await redis.flushdb()
    await redis.aclose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(client: aioredis.Redis, clock: FakeClock) -> RedisBreakerStore:  # overrides the in-process store
    return RedisBreakerStore(client, clock=clock)


async def test_two_instances_share_one_circuit(client: aioredis.Redis) -> None:
    first, second = (
        RedisBreakerStore(client),
        RedisBreakerStore(client_from_url(BREAKER_REDIS_URL), owns_client=True),
    )
    try:
        for _ in range(POLICY.failure_threshold):
            await first.record("shared", False, POLICY)
        permit = await second.allow("shared", POLICY)
        assert (permit.allowed, permit.state) == (False, "open")
    finally:
        await second.aclose()


async def test_only_one_instance_wins_the_half_open_probe(client: aioredis.Redis) -> None:
    policy = BreakerPolicy(failure_threshold=1, cooldown_seconds=0.05, half_open_probes=1)
    stores = [RedisBreakerStore(client) for _ in range(8)]
    await stores[0].record("p", False, policy)
    await asyncio.sleep(0.1)  # Redis' own clock decides the cooldown here
    permits = await asyncio.gather(*(s.allow("p", policy) for s in stores))
    assert sum(p.allowed for p in permits) == 1
    assert sum(p.previous == "open" for p in permits) == 1  # the transition is seen exactly once


async def test_transition_is_reported_once_across_instances(client: aioredis.Redis) -> None:
    seen: list[Transition] = []
    policy = BreakerPolicy(failure_threshold=4)
    boards = [Breakers(RedisBreakerStore(client), policy, [seen.append]) for _ in range(4)]
    await asyncio.gather(*(b.record("p", ok=False) for b in boards))
    assert [(t.previous, t.state) for t in seen] == [("closed", "open")]


def _fail_in_process(url: str, failures: int) -> None:
    async def run() -> None:
        store = RedisBreakerStore.from_url(url)
        try:
            for _ in range(failures):
                await store.record(
                    "cross-process", False, BreakerPolicy(failure_threshold=6, min_requests=1000)
                )
        finally:
            await store.aclose()

    asyncio.run(run())


async def test_failures_from_two_processes_open_the_circuit_together(client: aioredis.Redis) -> None:
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        await asyncio.gather(
            *(loop.run_in_executor(pool, _fail_in_process, BREAKER_REDIS_URL, 3) for _ in range(2))
        )
    [snap] = await RedisBreakerStore(client).snapshot(["cross-process"], POLICY)
    assert (snap.state, snap.failures, snap.times_opened) == ("open", 6, 1)


async def test_unreachable_redis_fails_open() -> None:
    store = RedisBreakerStore.from_url(UNREACHABLE_URL)
    try:
        breakers = Breakers(store, POLICY)
        await breakers.record("p", ok=False)
        assert (await breakers.allow("p")).allowed
    finally:
        await store.aclose()


async def test_circuit_key_expires_when_unused(client: aioredis.Redis, store: RedisBreakerStore) -> None:
    await store.record("p", False, POLICY)
    assert 0 < await client.pttl("cb:{p}") <= 7 * 24 * 3600 * 1000


@pytest.fixture
def local_time() -> FakeClock:
    return FakeClock()


@pytest.fixture
def synced(client: aioredis.Redis, clock: FakeClock, local_time: FakeClock) -> RedisBreakerStore:
    """A store that trusts a closed circuit for 1 s (the production setting is 0.25 s)."""
    return RedisBreakerStore(client, clock=clock, sync_seconds=1.0, monotonic=local_time)


async def test_synced_store_batches_successes_and_sends_them_before_a_failure(
    synced: RedisBreakerStore, store: RedisBreakerStore
) -> None:
    await synced.allow("p", POLICY)
    for _ in range(4):
        await synced.record("p", True, POLICY)
    (before,) = await store.snapshot(["p"], POLICY)
    assert before.successes == 1  # the first was sent; three wait for the next send
    await synced.record("p", False, POLICY)
    (after,) = await store.snapshot(["p"], POLICY)
    assert (after.successes, after.failures, after.window_requests) == (4, 1, 5)
    assert after.consecutive_failures == 1


async def test_synced_store_sends_batched_successes_after_the_sync_interval_and_on_flush(
    synced: RedisBreakerStore, store: RedisBreakerStore, local_time: FakeClock
) -> None:
    await synced.allow("p", POLICY)
    for _ in range(3):
        await synced.record("p", True, POLICY)
    local_time.advance(1.5)
    await synced.record("p", True, POLICY)
    assert (await store.snapshot(["p"], POLICY))[0].successes == 4
    await synced.record("p", True, POLICY)
    await synced.flush(POLICY)
    assert (await store.snapshot(["p"], POLICY))[0].successes == 5


async def test_synced_store_opens_at_once_on_its_own_failures(synced: RedisBreakerStore) -> None:
    await synced.allow("p", POLICY)
    for _ in range(POLICY.failure_threshold):
        await synced.record("p", False, POLICY)
    assert not (await synced.allow("p", POLICY)).allowed


async def test_synced_store_sees_a_circuit_opened_elsewhere_within_the_sync_interval(
    synced: RedisBreakerStore, store: RedisBreakerStore, local_time: FakeClock
) -> None:
    assert (await synced.allow("p", POLICY)).allowed
    for _ in range(POLICY.failure_threshold):
        await store.record("p", False, POLICY)  # another instance opens the circuit
    assert (await synced.allow("p", POLICY)).allowed  # still trusted: at most sync_seconds stale
    local_time.advance(1.01)
    permit = await synced.allow("p", POLICY)
    assert not permit.allowed and permit.state == "open"


async def test_synced_store_asks_redis_once_when_trust_runs_out_under_concurrency(
    synced: RedisBreakerStore, local_time: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await synced.allow("p", POLICY)
    local_time.advance(1.5)
    calls = 0
    ask = synced._allow

    async def counting(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return await ask(*args, **kwargs)

    monkeypatch.setattr(synced, "_allow", counting)
    permits = await asyncio.gather(*(synced.allow("p", POLICY) for _ in range(20)))
    assert all(p.allowed for p in permits)
    assert calls == 1
