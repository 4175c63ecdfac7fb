"""Circuit-breaker transitions with a hand-moved clock.

The `test_circuit_*` tests are the contract every `BreakerStore` keeps: they run here over the in-process store
and, imported by tests/integration/test_breaker_redis.py, over Redis (that module overrides `store`).
"""

from __future__ import annotations

import pytest

from gateway.routing.breaker import Breakers, Transition
from gateway.store.state.base import StateUnavailableError
from gateway.store.state.breaker_base import BreakerPolicy, BreakerStore, CircuitSnapshot, Permit, Recorded
from gateway.store.state.breaker_memory import MemoryBreakerStore
from tests.unit.store.clock import FakeClock

POLICY = BreakerPolicy(
    failure_threshold=3,
    error_rate=0.5,
    min_requests=4,
    window_seconds=60,
    cooldown_seconds=30,
    half_open_probes=1,
)
P = "acme-llm"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> BreakerStore:
    return MemoryBreakerStore(clock=clock)


async def _fail(store: BreakerStore, n: int, name: str = P) -> Recorded:
    recorded = Recorded("closed", "closed")
    for _ in range(n):
        recorded = await store.record(name, False, POLICY)
    return recorded


async def _open(store: BreakerStore, clock: FakeClock) -> None:
    await _fail(store, POLICY.failure_threshold)
    clock.advance(POLICY.cooldown_seconds)


async def test_circuit_starts_closed_and_allows(store: BreakerStore) -> None:
    assert await store.allow(P, POLICY) == Permit(True, "closed", "closed")


async def test_circuit_opens_after_consecutive_failures(store: BreakerStore) -> None:
    assert (await _fail(store, 2)).state == "closed"
    assert await _fail(store, 1) == Recorded("closed", "open")


async def test_circuit_success_resets_consecutive_failures(store: BreakerStore) -> None:
    policy = BreakerPolicy(failure_threshold=3, min_requests=100)  # only the consecutive rule can trip
    for ok in (False, False, True, False, False):
        recorded = await store.record(P, ok, policy)
    assert recorded.state == "closed"


async def test_circuit_opens_on_error_rate_with_enough_calls(store: BreakerStore) -> None:
    for ok in (True, False, True):
        await store.record(P, ok, POLICY)
    assert (await store.record(P, False, POLICY)).state == "open"  # 2 of 4 failed, none consecutive


async def test_circuit_ignores_error_rate_below_min_requests(store: BreakerStore) -> None:
    await store.record(P, True, POLICY)
    assert (await store.record(P, False, POLICY)).state == "closed"  # 50 % of only 2 calls


async def test_circuit_error_rate_window_starts_over(store: BreakerStore, clock: FakeClock) -> None:
    for ok in (False, True, True):
        await store.record(P, ok, POLICY)
    clock.advance(POLICY.window_seconds)
    for ok in (True, True, True):
        await store.record(P, ok, POLICY)
    assert (await store.record(P, False, POLICY)).state == "closed"  # 1 of 4 in the new window


async def test_circuit_open_refuses_until_cooldown(store: BreakerStore, clock: FakeClock) -> None:
    await _fail(store, 3)
    clock.advance(10)
    permit = await store.allow(P, POLICY)
    assert (permit.allowed, permit.state) == (False, "open")
    assert permit.retry_in == pytest.approx(20, abs=0.01)


async def test_circuit_half_opens_after_cooldown_with_limited_probes(
    store: BreakerStore, clock: FakeClock
) -> None:
    await _open(store, clock)
    assert await store.allow(P, POLICY) == Permit(True, "open", "half_open")
    assert await store.allow(P, POLICY) == Permit(False, "half_open", "half_open")


async def test_circuit_probe_success_closes(store: BreakerStore, clock: FakeClock) -> None:
    await _open(store, clock)
    await store.allow(P, POLICY)
    assert await store.record(P, True, POLICY) == Recorded("half_open", "closed")
    assert (await store.allow(P, POLICY)).allowed


async def test_circuit_probe_failure_reopens_for_a_new_cooldown(
    store: BreakerStore, clock: FakeClock
) -> None:
    await _open(store, clock)
    await store.allow(P, POLICY)
    assert await store.record(P, False, POLICY) == Recorded("half_open", "open")
    clock.advance(POLICY.cooldown_seconds - 1)
    assert not (await store.allow(P, POLICY)).allowed


async def test_circuit_closes_only_after_every_probe_succeeded(store: BreakerStore, clock: FakeClock) -> None:
    policy = BreakerPolicy(failure_threshold=1, cooldown_seconds=30, half_open_probes=2)
    await store.record(P, False, policy)
    clock.advance(30)
    assert [(await store.allow(P, policy)).allowed for _ in range(3)] == [True, True, False]
    assert (await store.record(P, True, policy)).state == "half_open"
    assert (await store.record(P, True, policy)).state == "closed"


async def test_circuit_lost_probe_is_granted_again_after_a_cooldown(
    store: BreakerStore, clock: FakeClock
) -> None:
    await _open(store, clock)
    await store.allow(P, POLICY)  # this probe's outcome never comes
    clock.advance(POLICY.cooldown_seconds)
    assert await store.allow(P, POLICY) == Permit(True, "half_open", "half_open")


async def test_circuit_outcome_while_open_changes_nothing(store: BreakerStore) -> None:
    await _fail(store, 3)
    assert await store.record(P, True, POLICY) == Recorded("open", "open")


async def test_circuit_snapshot_of_unused_circuit_is_closed(store: BreakerStore) -> None:
    assert await store.snapshot(["never-used"], POLICY) == [CircuitSnapshot("never-used", "closed")]


async def test_circuit_snapshot_counts_outcomes(store: BreakerStore) -> None:
    await store.record(P, True, POLICY)
    await _fail(store, 3)
    [snap] = await store.snapshot([P], POLICY)
    assert (snap.state, snap.successes, snap.failures, snap.times_opened) == ("open", 1, 3, 1)
    assert snap.retry_in == pytest.approx(30, abs=0.01)


async def test_circuit_snapshot_reads_elapsed_cooldown_as_half_open(
    store: BreakerStore, clock: FakeClock
) -> None:
    await _open(store, clock)
    [snap] = await store.snapshot([P], POLICY)
    assert snap.state == "half_open"
    assert (await store.allow(P, POLICY)).previous == "open"  # reading changed nothing


async def test_circuit_snapshot_keeps_circuits_apart(store: BreakerStore) -> None:
    await _fail(store, 3, name="a")
    snaps = await store.snapshot(["a", "b"], POLICY)
    assert [s.state for s in snaps] == ["open", "closed"]


async def test_circuit_reset_closes(store: BreakerStore) -> None:
    await _fail(store, 3)
    await store.reset(P)
    assert (await store.allow(P, POLICY)).allowed


# ---- the Breakers board (store-independent) -----------------------------------------------------------------


class BrokenStore(MemoryBreakerStore):
    async def allow(self, name: str, policy: BreakerPolicy) -> Permit:
        raise StateUnavailableError("redis unavailable: ConnectionError")

    async def record(self, name: str, ok: bool, policy: BreakerPolicy) -> Recorded:
        raise StateUnavailableError("redis unavailable: ConnectionError")


async def test_breakers_notify_listeners_of_each_transition(clock: FakeClock) -> None:
    seen: list[Transition] = []
    breakers = Breakers(MemoryBreakerStore(clock=clock), POLICY, [seen.append])
    for _ in range(3):
        await breakers.record(P, ok=False)
    clock.advance(POLICY.cooldown_seconds)
    await breakers.allow(P)
    await breakers.record(P, ok=True)
    assert [(t.previous, t.state) for t in seen] == [
        ("closed", "open"),
        ("open", "half_open"),
        ("half_open", "closed"),
    ]


async def test_breakers_fail_open_when_the_store_is_down() -> None:
    breakers = Breakers(BrokenStore(), POLICY)
    await breakers.record(P, ok=False)
    assert (await breakers.allow(P)).allowed


async def test_breakers_survive_a_failing_listener(clock: FakeClock) -> None:
    def broken(_: Transition) -> None:
        raise RuntimeError("metrics backend down")

    breakers = Breakers(MemoryBreakerStore(clock=clock), BreakerPolicy(failure_threshold=1), [broken])
    await breakers.record(P, ok=False)
    assert not (await breakers.allow(P)).allowed
