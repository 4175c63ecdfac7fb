"""Redis state: many gateway processes on one Redis decide like one, each decision one atomic script call.

Scripts are registered once per client (`register_script`: EVALSHA, loaded on the first NOSCRIPT). Keys carry a
hash tag (`{key}`) so every key of one decision lands in the same Redis Cluster slot.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from gateway.store.state import lua
from gateway.store.state.base import BudgetDecision, Limit, RateDecision, StateUnavailableError, check_request
from gateway.store.state.redis_mux import MultiplexedRedis

Clock = Callable[[], float]
DEFAULT_CONNECT_TIMEOUT = 0.5
DEFAULT_SOCKET_TIMEOUT = 1.0
DEFAULT_MAX_CONNECTIONS = 64
DEFAULT_POOL_TIMEOUT = 1.0


@contextmanager
def map_redis_errors() -> Iterator[None]:
    """Turn every way Redis can fail into `StateUnavailableError`, with no key or payload in the message."""
    try:
        yield
    except (RedisError, OSError, TimeoutError) as exc:
        raise StateUnavailableError(f"redis unavailable: {type(exc).__name__}") from exc


def client_from_url(url: str, *, multiplex: bool = True, **options: Any) -> aioredis.Redis:
    """A client with short timeouts, so an unreachable Redis fails a request fast instead of hanging it.

    With `multiplex`, plain commands share one pipelined connection (`redis_mux`, ADR 0014); the pool still
    serves pipelines, pub/sub and blocking commands. The pool blocks (up to `timeout` seconds) when all connections are busy: redis-py's default pool raises
    `MaxConnectionsError` at once past 100 concurrent commands, which a busy gateway reaches.
    """
    # A pooled connection that died with a Redis restart fails on its next command before Redis runs it: one
    # immediate retry on a fresh connection, so the first requests after a restart do not fail. Only connection
    # errors are retried; a timeout may mean the script ran, and running it twice would count twice.
    options.setdefault("retry", Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)))
    options.setdefault("socket_connect_timeout", DEFAULT_CONNECT_TIMEOUT)
    options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
    options.setdefault("max_connections", DEFAULT_MAX_CONNECTIONS)
    options.setdefault("timeout", DEFAULT_POOL_TIMEOUT)
    pool = aioredis.BlockingConnectionPool.from_url(url, **options)
    if multiplex and MultiplexedRedis.supports(pool):
        return MultiplexedRedis.from_pool(pool)
    return aioredis.Redis.from_pool(pool)


class _RedisBackend:
    """Client ownership, ping and close, shared by both backends."""

    def __init__(self, client: aioredis.Redis, *, owns_client: bool) -> None:
        self._client = client
        self._owns_client = owns_client

    async def ping(self) -> None:
        """Raise `StateUnavailableError` unless Redis answers."""
        with map_redis_errors():
            await self._client.ping()

    async def aclose(self) -> None:
        """Close the client when this backend created it; a shared client is closed by its owner."""
        if self._owns_client:
            await self._client.aclose()


class RedisRateLimiter(_RedisBackend):
    """Exact sliding-window limits in Redis (a sorted-set log per limit), all limits in one script call."""

    def __init__(
        self, client: aioredis.Redis, *, clock: Clock | None = None, owns_client: bool = False
    ) -> None:
        """Args:
        client: A `redis.asyncio` client, possibly shared with other backends.
        clock: Seconds since the epoch, for tests only; None uses Redis' own clock, which every process shares.
        owns_client: Close `client` in `aclose`.
        """
        super().__init__(client, owns_client=owns_client)
        self._clock = clock
        self._acquire = client.register_script(lua.ACQUIRE)
        self._adjust = client.register_script(lua.ADJUST)

    @classmethod
    def from_url(cls, url: str, *, clock: Clock | None = None, **options: Any) -> RedisRateLimiter:
        """A limiter with its own client for `url` (e.g. `redis://127.0.0.1:6379/0`)."""
        return cls(client_from_url(url, **options), clock=clock, owns_client=True)

    async def acquire(self, key: str, limits: list[Limit], cost: dict[str, int]) -> RateDecision:
        """See `RateLimiter.acquire`."""
        check_request(limits, cost)
        keys: list[str] = []
        args: list[str | int] = [self._now_arg(), len(limits)]
        for limit in limits:
            keys += _log_keys(key, limit.name)
            args += [int(limit.limit), _ms(limit.window_seconds), int(cost.get(limit.name, 0))]
        with map_redis_errors():
            raw = await self._acquire(keys=keys, args=args)
        return _decision(limits, [int(value) for value in raw])

    async def adjust(self, key: str, name: str, delta: int) -> None:
        """See `RateLimiter.adjust`."""
        if delta == 0:
            return
        with map_redis_errors():
            await self._adjust(keys=_log_keys(key, name), args=[self._now_arg(), delta])

    def _now_arg(self) -> str:
        return "" if self._clock is None else repr(self._clock() * 1000)


def _log_keys(key: str, name: str) -> list[str]:
    log = f"rl:{{{key}}}:{name}"
    return [log, log + ":m"]


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


def _decision(limits: list[Limit], raw: list[int]) -> RateDecision:
    """Read the script's reply: `[allowed, refused index, impossible, wait_ms, (total, reset_ms) per limit]`."""
    allowed, refused, impossible, wait_ms = raw[:4]
    per_limit = raw[4:]
    return RateDecision(
        allowed=bool(allowed),
        limit_name=limits[refused - 1].name if refused else None,
        remaining={lim.name: max(0, lim.limit - per_limit[2 * i]) for i, lim in enumerate(limits)},
        reset_seconds={lim.name: per_limit[2 * i + 1] / 1000 for i, lim in enumerate(limits)},
        retry_after=wait_ms / 1000 if refused and not impossible else None,
    )


class RedisBudgetCounter(_RedisBackend):
    """Budget counters in Redis: a plain integer per key, reserved by a check-and-increment script."""

    def __init__(self, client: aioredis.Redis, *, owns_client: bool = False) -> None:
        """Args:
        client: A `redis.asyncio` client, possibly shared with other backends.
        owns_client: Close `client` in `aclose`.
        """
        super().__init__(client, owns_client=owns_client)
        self._reserve = client.register_script(lua.RESERVE)
        self._settle = client.register_script(lua.SETTLE)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisBudgetCounter:
        """A counter with its own client for `url`."""
        return cls(client_from_url(url, **options), owns_client=True)

    async def reserve(self, key: str, amount: int, limit: int, ttl_seconds: int) -> BudgetDecision:
        """See `BudgetCounter.reserve`."""
        if amount < 0:
            raise ValueError("amount must be >= 0")
        with map_redis_errors():
            allowed, used, created = await self._reserve(keys=[key], args=[amount, limit, ttl_seconds])
        return BudgetDecision(allowed=bool(allowed), used=int(used), limit=limit, created=bool(created))

    async def settle(self, key: str, reserved: int, actual: int) -> int | None:
        """See `BudgetCounter.settle`."""
        with map_redis_errors():
            after = await self._settle(keys=[key], args=[actual - reserved])
        return None if after is None else int(after)

    async def used(self, key: str) -> int:
        """See `BudgetCounter.used`."""
        with map_redis_errors():
            value = await self._client.get(key)
        return 0 if value is None else int(value)

    async def seed(self, key: str, value: int, ttl_seconds: int) -> bool:
        """See `BudgetCounter.seed`."""
        with map_redis_errors():
            was_set = await self._client.set(key, value, ex=ttl_seconds, nx=True)
        return bool(was_set)
