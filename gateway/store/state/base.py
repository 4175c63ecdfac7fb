"""Interfaces of the shared, fast state: sliding-window rate limits and monthly token budget counters.

Two implementations of each: `memory` (the embedded default for one process) and `redis_backend` (many gateway
processes on one Redis behave like one, because every decision is a single Lua script run atomically by Redis).
Both raise only `StateUnavailableError` for a store failure, so the caller can fail open or closed by setting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


class StateUnavailableError(Exception):
    """The state store could not be reached or answered with an error.

    Deliberately not a `GatewayError`: whether a client sees it (fail closed) or the request passes unlimited
    (fail open) is the caller's configured choice, not this layer's.
    """


@dataclass(frozen=True)
class Limit:
    """One sliding-window limit.

    Attributes:
        name: What is counted, `"requests"` or `"tokens"`; the matching key of `cost`.
        limit: Most units admitted within any window of `window_seconds`.
        window_seconds: Length of the sliding window.
    """

    name: str
    limit: int
    window_seconds: float


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one `RateLimiter.acquire`, with what OpenAI-style headers need.

    Attributes:
        allowed: True when every limit had room and all costs were consumed together.
        limit_name: The first limit that refused, None when allowed.
        remaining: Per limit name, units left in the window after this decision (`x-ratelimit-remaining-*`).
        reset_seconds: Per limit name, seconds until the window is empty again (`x-ratelimit-reset-*`).
        retry_after: When refused, seconds until every refusing limit has room for this cost (`Retry-After`).
            None when allowed, and also when refused because a cost exceeds its limit outright: waiting never helps.
    """

    allowed: bool
    limit_name: str | None
    remaining: dict[str, int] = field(default_factory=dict)
    reset_seconds: dict[str, float] = field(default_factory=dict)
    retry_after: float | None = None


@dataclass(frozen=True)
class BudgetDecision:
    """The outcome of one `BudgetCounter.reserve`.

    Attributes:
        allowed: True when the amount was reserved.
        used: The counter after this decision (unchanged when refused).
        limit: The limit the decision was made against.
        created: True when the counter did not exist before this reservation (first use this month, or the store
            lost it). The caller then adds the durable ledger's total with `settle(key, 0, ledger_total)`.
    """

    allowed: bool
    used: int
    limit: int
    created: bool = False


@runtime_checkable
class RateLimiter(Protocol):
    """Sliding-window limits, checked and consumed together."""

    async def acquire(self, key: str, limits: list[Limit], cost: dict[str, int]) -> RateDecision:
        """Consume `cost[limit.name]` from every limit, or nothing at all if any limit lacks room.

        Args:
            key: Who is limited, e.g. `f"tenant:{tenant_id}"` or `f"key:{key_id}"`.
            limits: The limits to check; names must be unique. A limit whose name is missing from `cost` costs 0.
            cost: Units per limit name, e.g. `{"requests": 1, "tokens": 812}`.

        Raises:
            StateUnavailableError: the store failed.
        """
        ...

    async def adjust(self, key: str, name: str, delta: int) -> None:
        """Correct one limit's consumption after the fact, e.g. estimated tokens by the real usage.

        Positive `delta` charges more (unconditionally, even past the limit); negative refunds, taking from the
        oldest consumption still in the window so that a refund never frees more room than the truth would.
        Best effort: consumption that already slid out of the window is not refunded.

        Raises:
            StateUnavailableError: the store failed.
        """
        ...

    async def ping(self) -> None:
        """Raise `StateUnavailableError` unless the store answers."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class BudgetCounter(Protocol):
    """Counters that never grow past a limit by reservation, e.g. `f"budget:{tenant_id}:{yyyy-mm}"`."""

    async def reserve(self, key: str, amount: int, limit: int, ttl_seconds: int) -> BudgetDecision:
        """Add `amount` only if `used + amount <= limit`; concurrent reservations never overshoot together.

        `ttl_seconds` is applied when the counter is created (the month plus some slack).

        Raises:
            StateUnavailableError: the store failed.
        """
        ...

    async def settle(self, key: str, reserved: int, actual: int) -> int | None:
        """Add `actual - reserved` unconditionally (real usage may exceed the reservation).

        Returns:
            The counter afterwards, or None when the counter is missing (expired or lost): then nothing is
            written, so the next `reserve` reports `created=True` and the ledger re-seeds it.

        Raises:
            StateUnavailableError: the store failed.
        """
        ...

    async def used(self, key: str) -> int:
        """The counter's value, 0 when missing.

        Raises:
            StateUnavailableError: the store failed.
        """
        ...

    async def seed(self, key: str, value: int, ttl_seconds: int) -> bool:
        """Set the counter to `value` only if it is missing (re-seeding from the durable ledger).

        Returns:
            True when the counter was set, False when it already existed.

        Raises:
            StateUnavailableError: the store failed.
        """
        ...

    async def ping(self) -> None:
        """Raise `StateUnavailableError` unless the store answers."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


def check_request(limits: list[Limit], cost: dict[str, int]) -> None:
    """Refuse malformed input before any state is touched (both backends call it).

    Raises:
        ValueError: duplicate limit names, or a negative cost or limit.
    """
    names = [limit.name for limit in limits]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate limit names: {names}")
    if any(limit.limit < 0 or limit.window_seconds <= 0 for limit in limits):
        raise ValueError("limits must be >= 0 with a positive window")
    if any(amount < 0 for amount in cost.values()):
        raise ValueError("costs must be >= 0")
