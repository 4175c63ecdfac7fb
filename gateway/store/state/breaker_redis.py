"""Circuit state in Redis: every gateway process on one Redis sees and moves the same circuits.

`allow` and `record` are one Lua script call each (`breaker_lua`); `snapshot` reads the hashes in one pipeline
and interprets them like the in-process backend does. Keys carry a hash tag (`cb:{name}`) for Redis Cluster.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis

from gateway.store.state import breaker_lua
from gateway.store.state.breaker_base import (
    CIRCUIT_STATES,
    BreakerPolicy,
    CircuitSnapshot,
    CircuitState,
    Permit,
    Recorded,
)
from gateway.store.state.breaker_memory import Circuit, snapshot_of
from gateway.store.state.redis_backend import client_from_url, map_redis_errors

Clock = Callable[[], float]
TTL_SECONDS = 7 * 24 * 3600  # an untouched circuit is forgotten after a week (it reads as closed then)


class RedisBreakerStore:
    """Circuits as Redis hashes, changed only by atomic scripts."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        clock: Clock | None = None,
        owns_client: bool = False,
        prefix: str = "cb",
    ) -> None:
        """Args:
        client: A `redis.asyncio` client, possibly shared with other backends.
        clock: Seconds since the epoch, for tests only; None uses Redis' own clock, which every process shares.
        owns_client: Close `client` in `aclose`.
        prefix: Key prefix, e.g. to separate two gateways on one Redis.
        """
        self._client = client
        self._clock = clock
        self._owns_client = owns_client
        self._prefix = prefix
        self._allow = client.register_script(breaker_lua.ALLOW)
        self._record = client.register_script(breaker_lua.RECORD)

    @classmethod
    def from_url(cls, url: str, *, clock: Clock | None = None, **options: Any) -> RedisBreakerStore:
        """A store with its own client for `url`."""
        return cls(client_from_url(url, **options), clock=clock, owns_client=True)

    async def allow(self, name: str, policy: BreakerPolicy) -> Permit:
        """See `BreakerStore.allow`."""
        args: list[str | int] = [
            self._now_arg(),
            _ms(policy.cooldown_seconds),
            policy.half_open_probes,
            TTL_SECONDS * 1000,
        ]
        with map_redis_errors():
            allowed, previous, state, retry_ms = await self._allow(keys=[self._key(name)], args=args)
        return Permit(bool(allowed), _state(previous), _state(state), int(retry_ms) / 1000)

    async def record(self, name: str, ok: bool, policy: BreakerPolicy) -> Recorded:
        """See `BreakerStore.record`."""
        args: list[str | int] = [
            self._now_arg(),
            1 if ok else 0,
            policy.failure_threshold,
            repr(policy.error_rate),
            policy.min_requests,
            _ms(policy.window_seconds),
            policy.half_open_probes,
            TTL_SECONDS * 1000,
        ]
        with map_redis_errors():
            previous, state = await self._record(keys=[self._key(name)], args=args)
        return Recorded(_state(previous), _state(state))

    async def snapshot(self, names: list[str], policy: BreakerPolicy) -> list[CircuitSnapshot]:
        """See `BreakerStore.snapshot`."""
        with map_redis_errors():
            async with self._client.pipeline(transaction=False) as pipe:
                for name in names:
                    pipe.hgetall(self._key(name))
                pipe.time()
                replies = await pipe.execute()
        seconds, micros = replies[-1]
        now = self._clock() if self._clock is not None else seconds + micros / 1e6
        return [
            snapshot_of(name, _circuit(raw), now, policy) for name, raw in zip(names, replies, strict=False)
        ]

    async def reset(self, name: str) -> None:
        """See `BreakerStore.reset`."""
        with map_redis_errors():
            await self._client.delete(self._key(name))

    async def ping(self) -> None:
        """Raise `StateUnavailableError` unless Redis answers."""
        with map_redis_errors():
            await self._client.ping()

    async def aclose(self) -> None:
        """Close the client when this store created it; a shared client is closed by its owner."""
        if self._owns_client:
            await self._client.aclose()

    def _key(self, name: str) -> str:
        return f"{self._prefix}:{{{name}}}"

    def _now_arg(self) -> str:
        return "" if self._clock is None else repr(self._clock() * 1000)


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _state(value: Any) -> CircuitState:
    text = _text(value)
    return next((s for s in CIRCUIT_STATES if s == text), "closed")


def _circuit(raw: dict[Any, Any]) -> Circuit | None:
    """The hash as a `Circuit` (times converted from ms to seconds); None when the circuit was never used."""
    if not raw:
        return None
    fields = {_text(k): _text(v) for k, v in raw.items()}

    def number(field: str) -> float:
        return float(fields.get(field) or 0)

    return Circuit(
        state=_state(fields.get("state", "closed")),
        consecutive=int(number("consecutive")),
        window_start=number("win_start") / 1000,
        window_total=int(number("win_total")),
        window_failures=int(number("win_fail")),
        opened_at=number("opened_at") / 1000,
        half_open_at=number("half_open_at") / 1000,
        probes=int(number("probes")),
        probe_successes=int(number("probe_ok")),
        successes=int(number("successes")),
        failures=int(number("failures")),
        times_opened=int(number("opened")),
    )
