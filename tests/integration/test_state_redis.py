"""The Redis backends against real Redis: the shared contracts, three processes on one key, Redis down, and
the sliding log's edges read from its keys.

Uses db 14 (`TEST_STATE_REDIS_URL`), flushed before and after each test; no other db is touched.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

import pytest
import redis.asyncio as aioredis

from gateway.store.state import (
    Limit,
    RedisBudgetCounter,
    RedisRateLimiter,
    StateUnavailableError,
)
from gateway.store.state.limit_state import Corrections, RateScope
from gateway.store.state.redis_admit import RedisLimitState
from gateway.store.state.redis_backend import client_from_url
from tests.unit.store.budget_contract import *  # the shared contract tests run here
from tests.unit.store.clock import FakeClock
from tests.unit.store.limit_state_contract import *
from tests.unit.store.rate_limit_contract import *

STATE_REDIS_URL = os.environ.get("TEST_STATE_REDIS_URL", "redis://127.0.0.1:6379/14")
UNREACHABLE_URL = "redis://127.0.0.1:1/0"
PROCESSES = 3
TASKS_PER_PROCESS = 40
# The spawned workers share a loaded CI machine with other tests: give them patient timeouts so that what is
# measured is atomicity, not how fast the machine is (the production defaults stay short).
_PATIENT = {"socket_timeout": 15.0, "socket_connect_timeout": 5.0, "timeout": 15.0}


@pytest.fixture
async def client() -> AsyncIterator[aioredis.Redis]:
    redis = client_from_url(STATE_REDIS_URL, **_PATIENT)
    await redis.flushdb()
    yield redis
    await redis.flushdb()
    await redis.aclose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limiter(client: aioredis.Redis, clock: FakeClock) -> RedisRateLimiter:
    return RedisRateLimiter(client, clock=clock)


@pytest.fixture
def counter(client: aioredis.Redis) -> RedisBudgetCounter:
    return RedisBudgetCounter(client)


@pytest.fixture
def limit_state(client: aioredis.Redis, clock: FakeClock) -> RedisLimitState:
    return RedisLimitState(client, clock=clock)


async def test_redis_clock_is_used_when_none_is_given(client: aioredis.Redis) -> None:
    limiter = RedisRateLimiter(client)
    decisions = [await limiter.acquire("t", [Limit("requests", 2, 60)], {"requests": 1}) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert 59 < (decisions[2].retry_after or 0) <= 60


async def test_rate_limit_keys_expire_with_the_window(
    limiter: RedisRateLimiter, client: aioredis.Redis
) -> None:
    await limiter.acquire("t", [Limit("tokens", 100, 30)], {"tokens": 5})
    ttls = [await client.pttl(key) for key in ("rl:{t}:tokens", "rl:{t}:tokens:m")]
    assert all(29_000 < ttl <= 30_000 for ttl in ttls)


async def test_budget_counter_gets_its_ttl_when_created(
    counter: RedisBudgetCounter, client: aioredis.Redis
) -> None:
    await counter.reserve("budget:t:2025-01", 5, 100, ttl_seconds=3600)
    await counter.reserve("budget:t:2025-01", 5, 100, ttl_seconds=10)
    assert 3590 < await client.ttl("budget:t:2025-01") <= 3600


_UNREACHABLE_CALLS: dict[str, Callable[[RedisRateLimiter, RedisBudgetCounter], Any]] = {
    "acquire": lambda rl, _: rl.acquire("t", [Limit("requests", 1, 60)], {"requests": 1}),
    "adjust": lambda rl, _: rl.adjust("t", "tokens", -5),
    "limiter_ping": lambda rl, _: rl.ping(),
    "reserve": lambda _, bc: bc.reserve("b", 1, 10, 60),
    "settle": lambda _, bc: bc.settle("b", 1, 2),
    "used": lambda _, bc: bc.used("b"),
    "seed": lambda _, bc: bc.seed("b", 1, 60),
    "counter_ping": lambda _, bc: bc.ping(),
}


@pytest.mark.parametrize("call", sorted(_UNREACHABLE_CALLS))
async def test_unreachable_redis_raises_state_unavailable(call: str) -> None:
    limiter, counter = (
        RedisRateLimiter.from_url(UNREACHABLE_URL),
        RedisBudgetCounter.from_url(UNREACHABLE_URL),
    )
    try:
        with pytest.raises(StateUnavailableError):
            await _UNREACHABLE_CALLS[call](limiter, counter)
    finally:
        await limiter.aclose()
        await counter.aclose()


# --- Three processes on one key. Workers start at one agreed instant so their requests really overlap. ---


async def _hammer_limiter(start_at: float) -> list[bool]:
    limiter = RedisRateLimiter.from_url(STATE_REDIS_URL, **_PATIENT)
    limits = [Limit("requests", 50, 60), Limit("tokens", 1000, 60)]
    await asyncio.sleep(max(0.0, start_at - time.time()))

    async def task() -> list[bool]:
        return [
            (await limiter.acquire("shared", limits, {"requests": 1, "tokens": 30})).allowed for _ in range(3)
        ]

    results = await asyncio.gather(*(task() for _ in range(TASKS_PER_PROCESS)))
    await limiter.aclose()
    return [allowed for batch in results for allowed in batch]


async def _hammer_budget(start_at: float, seed: int) -> list[tuple[int, bool]]:
    counter = RedisBudgetCounter.from_url(STATE_REDIS_URL, **_PATIENT)
    amounts = [random.Random(seed * 1000 + i).randint(1, 120) for i in range(TASKS_PER_PROCESS * 2)]
    await asyncio.sleep(max(0.0, start_at - time.time()))

    async def task(amount: int) -> tuple[int, bool]:
        return amount, (await counter.reserve("budget:shared:2025-01", amount, 5000, 3600)).allowed

    results = await asyncio.gather(*(task(amount) for amount in amounts))
    await counter.aclose()
    return list(results)


def limiter_worker(start_at: float) -> list[bool]:
    """Run in a spawned process (module level, so spawn can import it)."""
    return asyncio.run(_hammer_limiter(start_at))


def budget_worker(start_at: float, seed: int) -> list[tuple[int, bool]]:
    """Run in a spawned process."""
    return asyncio.run(_hammer_budget(start_at, seed))


def _in_processes(worker: Callable[..., Any], *extra: list[Any]) -> list[Any]:
    start_at = time.time() + 3.0  # after every spawned interpreter has imported the gateway
    with ProcessPoolExecutor(PROCESSES, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(worker, start_at, *(args[i] for args in extra)) for i in range(PROCESSES)]
        return [future.result(timeout=60) for future in futures]


async def test_three_processes_admit_exactly_the_window_count(client: aioredis.Redis) -> None:
    per_process = await asyncio.to_thread(_in_processes, limiter_worker)
    admitted = sum(sum(results) for results in per_process)
    assert sum(len(results) for results in per_process) == PROCESSES * TASKS_PER_PROCESS * 3
    assert admitted == 1000 // 30  # tokens run out first: 33, not 3 x 33
    assert await client.zcard("rl:{shared}:requests") == admitted  # refusals consumed no request slot


async def test_three_processes_never_overshoot_a_budget(client: aioredis.Redis) -> None:
    per_process = await asyncio.to_thread(_in_processes, budget_worker, list(range(PROCESSES)))
    results = [result for batch in per_process for result in batch]
    used = int(await client.get("budget:shared:2025-01") or 0)
    assert used == sum(amount for amount, allowed in results if allowed)
    assert used <= 5000
    assert all(used + amount > 5000 for amount, allowed in results if not allowed)


async def test_a_pooled_connection_that_died_is_replaced_without_failing_the_command(
    client: aioredis.Redis,
) -> None:
    """After a Redis restart the pool still holds connections the server closed: the next command on one
    reconnects once and succeeds instead of failing a request (only connection errors are retried)."""
    await client.set("k", "1")
    own_id = await client.client_id()  # the pool's only connection so far
    admin = aioredis.Redis.from_url(STATE_REDIS_URL)
    try:
        assert await admin.client_kill_filter(_id=own_id) == 1
    finally:
        await admin.aclose()
    assert await client.get("k") == b"1"
    assert await client.client_id() != own_id


# --- The sliding log's edges (`store/state/lua.py`), read straight from its keys: what the scripts leave
# behind after pruning, refunds and stale or lost keys, and the reset times they report. ---

LOG_LIMIT = Limit("tokens", 100, 60)
LOG, HASH = "rl:{t}:tokens", "rl:{t}:tokens:m"


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def _entries(client: aioredis.Redis) -> list[tuple[str, float]]:
    entries = await client.zrange(LOG, 0, -1, withscores=True)
    return [(_text(entry[0]), float(entry[1])) for entry in entries]


async def _hash(client: aioredis.Redis) -> dict[str, str]:
    return {_text(field): _text(value) for field, value in (await client.hgetall(HASH)).items()}


async def _take(limiter: RedisRateLimiter, clock: FakeClock, tokens: list[int], every: float = 10) -> None:
    for amount in tokens:
        assert (await limiter.acquire("t", [LOG_LIMIT], {"tokens": amount})).allowed
        clock.advance(every)


async def test_an_allowed_add_writes_entry_and_hash(limiter: RedisRateLimiter, client: aioredis.Redis) -> None:
    await limiter.acquire("t", [LOG_LIMIT], {"tokens": 7})
    await limiter.acquire("t", [LOG_LIMIT], {"tokens": 5})
    assert [member for member, _ in await _entries(client)] == ["1:7", "2:5"]
    assert await _hash(client) == {"seq": "2", "total": "12", "win": "60000"}


async def test_reset_after_an_allowed_admit_is_the_whole_window(
    limit_state: RedisLimitState, clock: FakeClock
) -> None:
    clock.advance(0.25)
    outcome = await limit_state.admit([RateScope("t", [LOG_LIMIT, Limit("requests", 5, 30)], {"tokens": 9})], [])
    assert outcome.rates[0].reset_seconds == {"tokens": 60.0, "requests": 0.0}  # no cost, no log: nothing to wait


async def test_reset_counts_from_an_entry_newer_than_now(
    limiter: RedisRateLimiter, clock: FakeClock
) -> None:
    """A clock that stepped back (another host's, or Redis' own after a correction) keeps the newest entry's
    reset time: the entry holds its room until it slides out, whatever the clock said when adding."""
    await limiter.acquire("t", [LOG_LIMIT], {"tokens": 5})
    clock.advance(-2)
    decision = await limiter.acquire("t", [LOG_LIMIT], {"tokens": 5})
    assert decision.allowed and decision.reset_seconds == {"tokens": 62.0}


async def test_pruning_keeps_the_total_in_step_even_when_refused(
    limiter: RedisRateLimiter, clock: FakeClock, client: aioredis.Redis
) -> None:
    await _take(limiter, clock, [10, 20, 30, 40], every=20)  # at 0, 20, 40, 60; the clock is at 80
    decision = await limiter.acquire("t", [LOG_LIMIT], {"tokens": 50})  # 10 and 20 slid out: 70 + 50 > 100
    assert not decision.allowed and decision.remaining == {"tokens": 30}
    assert decision.retry_after == pytest.approx(20.0)  # until the 30 of t=40 slides out
    assert [member for member, _ in await _entries(client)] == ["3:30", "4:40"]
    assert await _hash(client) == {"seq": "4", "total": "70", "win": "60000"}


async def test_a_log_that_slid_out_whole_is_dropped_and_restarts(
    limiter: RedisRateLimiter, clock: FakeClock, client: aioredis.Redis
) -> None:
    await _take(limiter, clock, [10, 20])
    clock.advance(60)  # both entries slid out, but the keys' TTL (real time) has not run out
    read = await limiter.acquire("t", [LOG_LIMIT], {})
    assert read.remaining == {"tokens": 100} and read.reset_seconds == {"tokens": 0.0}
    assert await client.exists(LOG, HASH) == 0
    await _take(limiter, clock, [5])
    assert [member for member, _ in await _entries(client)] == ["1:5"]
    assert await _hash(client) == {"seq": "1", "total": "5", "win": "60000"}


async def test_a_hash_without_its_log_is_stale_and_dropped(
    limiter: RedisRateLimiter, client: aioredis.Redis
) -> None:
    await client.hset(HASH, mapping={"total": 90, "seq": 7, "win": 60000})
    read = await limiter.acquire("t", [LOG_LIMIT], {})
    assert read.remaining == {"tokens": 100} and await client.exists(HASH) == 0
    await client.hset(HASH, mapping={"total": 90, "seq": 7, "win": 60000})
    assert (await limiter.acquire("t", [LOG_LIMIT], {"tokens": 20})).remaining == {"tokens": 80}
    assert await _hash(client) == {"seq": "1", "total": "20", "win": "60000"}
    assert 59_000 < await client.pttl(HASH) <= 60_000


async def test_an_entry_overwritten_after_a_lost_hash_is_not_counted_as_newest(
    limiter: RedisRateLimiter, clock: FakeClock, client: aioredis.Redis
) -> None:
    """The hash was lost (evicted) while its log lived on: numbering restarts and may rewrite an entry."""
    await client.zadd(LOG, {"1:5": clock() * 1000 + 30_000})
    decision = await limiter.acquire("t", [LOG_LIMIT], {"tokens": 5})
    assert await _entries(client) == [("1:5", clock() * 1000)]
    assert decision.reset_seconds == {"tokens": 60.0}


async def test_admit_with_one_key_in_two_scopes_adds_twice(
    limit_state: RedisLimitState, client: aioredis.Redis
) -> None:
    scope = RateScope("t", [LOG_LIMIT], {"tokens": 30})
    outcome = await limit_state.admit([scope, scope], [])
    assert [d.remaining for d in outcome.rates] == [{"tokens": 70}, {"tokens": 40}]
    assert [member for member, _ in await _entries(client)] == ["1:30", "2:30"]
    assert await _hash(client) == {"seq": "2", "total": "60", "win": "60000"}


async def test_a_refund_takes_whole_entries_then_part_of_the_next(
    limit_state: RedisLimitState, limiter: RedisRateLimiter, clock: FakeClock, client: aioredis.Redis
) -> None:
    await _take(limiter, clock, [10, 20, 30])
    await limit_state.correct(Corrections([("t", "tokens", -25)], []))
    assert [member for member, _ in await _entries(client)] == ["2:5", "3:30"]
    assert (await _entries(client))[0][1] == (clock() - 20) * 1000  # the remainder keeps its time
    assert (await _hash(client))["total"] == "35"


async def test_a_refund_from_the_only_entry_keeps_the_logs_ttl(
    limit_state: RedisLimitState, limiter: RedisRateLimiter, clock: FakeClock, client: aioredis.Redis
) -> None:
    """The usual settle of a lone request (fewer tokens than reserved): the log must still expire."""
    await _take(limiter, clock, [10])
    await limit_state.correct(Corrections([("t", "tokens", -4)], []))
    assert [member for member, _ in await _entries(client)] == ["1:6"]
    assert 59_000 < await client.pttl(LOG) <= 60_000


async def test_a_lost_hash_written_again_by_pruning_expires_with_its_log(
    limiter: RedisRateLimiter, clock: FakeClock, client: aioredis.Redis
) -> None:
    await _take(limiter, clock, [10, 20], every=50)  # at 0 and 50; the clock is at 100: the 10 slides out
    await client.delete(HASH)
    await client.pexpire(LOG, 30_000)
    await limiter.acquire("t", [LOG_LIMIT], {})
    assert [member for member, _ in await _entries(client)] == ["2:20"]
    assert 29_000 < await client.pttl(HASH) <= 30_000


async def test_a_refund_beyond_the_log_empties_it_and_stops_at_zero(
    limit_state: RedisLimitState, limiter: RedisRateLimiter, clock: FakeClock, client: aioredis.Redis
) -> None:
    await _take(limiter, clock, [10, 20])
    await limit_state.correct(Corrections([("t", "tokens", -100)], []))
    assert await client.exists(LOG) == 0
    assert await _hash(client) == {"seq": "2", "total": "0", "win": "60000"}


async def test_a_settle_charge_renews_both_keys_ttl_and_prunes_first(
    limit_state: RedisLimitState, limiter: RedisRateLimiter, clock: FakeClock, client: aioredis.Redis
) -> None:
    await _take(limiter, clock, [10, 20], every=50)  # at 0 and 50; the clock is at 100: the 10 slid out
    await client.pexpire(LOG, 5_000)
    await client.pexpire(HASH, 5_000)
    await limit_state.correct(Corrections([("t", "tokens", 15)], []))
    assert [member for member, _ in await _entries(client)] == ["2:20", "3:15"]
    assert await _hash(client) == {"seq": "3", "total": "35", "win": "60000"}
    assert [59_000 < await client.pttl(key) <= 60_000 for key in (LOG, HASH)] == [True, True]


async def test_a_settle_on_a_stale_hash_drops_it(
    limit_state: RedisLimitState, client: aioredis.Redis
) -> None:
    await client.hset(HASH, mapping={"total": 90, "seq": 7, "win": 60000})
    await limit_state.correct(Corrections([("t", "tokens", -10)], []))
    assert await client.exists(LOG, HASH) == 0
