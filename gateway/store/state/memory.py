"""In-process state: the embedded default for a single gateway process.

Atomic under asyncio because no method awaits between reading and writing; no threads, no locks. The
algorithms are the same as the Redis scripts' (an exact sliding log per limit), so both backends decide alike.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from gateway.store.state.base import BudgetDecision, Limit, RateDecision, check_request

Clock = Callable[[], float]
_SWEEP_EVERY = 1024  # acquires between sweeps of idle keys, so abandoned tenants do not hold memory


@dataclass
class _Entry:
    at: float
    amount: int


@dataclass
class _SlidingLog:
    """Consumption of one limit of one key: entries oldest first, with their running total."""

    window: float
    entries: deque[_Entry] = field(default_factory=deque)
    total: int = 0

    def prune(self, now: float) -> None:
        while self.entries and self.entries[0].at <= now - self.window:
            self.total -= self.entries.popleft().amount

    def add(self, now: float, amount: int) -> None:
        if amount > 0:
            self.entries.append(_Entry(now, amount))
            self.total += amount

    def take_oldest(self, amount: int) -> None:
        while amount > 0 and self.entries:
            oldest = self.entries[0]
            taken = min(amount, oldest.amount)
            oldest.amount -= taken
            self.total -= taken
            amount -= taken
            if oldest.amount == 0:
                self.entries.popleft()

    def wait_for(self, excess: int, now: float) -> float:
        """Seconds until at least `excess` units slide out of the window."""
        freed = 0
        for entry in self.entries:
            freed += entry.amount
            if freed >= excess:
                return max(0.0, entry.at + self.window - now)
        return self.window

    def reset_in(self, now: float) -> float:
        return max(0.0, self.entries[-1].at + self.window - now) if self.entries else 0.0


class MemoryRateLimiter:
    """Exact sliding-window limits kept in this process."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._logs: dict[tuple[str, str], _SlidingLog] = {}
        self._acquires = 0

    async def acquire(self, key: str, limits: list[Limit], cost: dict[str, int]) -> RateDecision:
        """See `RateLimiter.acquire`."""
        check_request(limits, cost)
        now = self._clock()
        self._maybe_sweep(now)
        logs = [self._log(key, limit, now) for limit in limits]
        refused: str | None = None
        waits: list[float | None] = []
        for limit, log in zip(limits, logs, strict=True):
            amount = cost.get(limit.name, 0)
            if log.total + amount > limit.limit:
                refused = refused or limit.name
                waits.append(
                    None if amount > limit.limit else log.wait_for(log.total + amount - limit.limit, now)
                )
        if refused is None:
            for limit, log in zip(limits, logs, strict=True):
                log.add(now, cost.get(limit.name, 0))
        return RateDecision(
            allowed=refused is None,
            limit_name=refused,
            remaining={
                lim.name: max(0, lim.limit - log.total) for lim, log in zip(limits, logs, strict=True)
            },
            reset_seconds={lim.name: log.reset_in(now) for lim, log in zip(limits, logs, strict=True)},
            retry_after=_retry_after(waits),
        )

    async def adjust(self, key: str, name: str, delta: int) -> None:
        """See `RateLimiter.adjust`."""
        log = self._logs.get((key, name))
        if log is None:
            return
        now = self._clock()
        log.prune(now)
        if delta > 0:
            log.add(now, delta)
        else:
            log.take_oldest(-delta)

    async def ping(self) -> None:
        """Always answers: the state lives in this process."""

    async def aclose(self) -> None:
        """Nothing to release."""

    def _log(self, key: str, limit: Limit, now: float) -> _SlidingLog:
        log = self._logs.setdefault((key, limit.name), _SlidingLog(limit.window_seconds))
        log.window = limit.window_seconds  # a changed setting applies from the next decision on
        log.prune(now)
        return log

    def _maybe_sweep(self, now: float) -> None:
        self._acquires += 1
        if self._acquires % _SWEEP_EVERY:
            return
        for log_key, log in list(self._logs.items()):
            log.prune(now)
            if not log.entries:
                del self._logs[log_key]


def _retry_after(waits: list[float | None]) -> float | None:
    """All refusing limits must have room at once, so the longest wait counts; None when one can never pass."""
    if not waits or any(wait is None for wait in waits):
        return None
    return max(wait for wait in waits if wait is not None)


@dataclass
class _Counter:
    value: int
    expires_at: float


class MemoryBudgetCounter:
    """Budget counters kept in this process, expiring like Redis keys."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._counters: dict[str, _Counter] = {}

    async def reserve(self, key: str, amount: int, limit: int, ttl_seconds: int) -> BudgetDecision:
        """See `BudgetCounter.reserve`."""
        if amount < 0:
            raise ValueError("amount must be >= 0")
        counter = self._live(key)
        created = counter is None
        used = 0 if counter is None else counter.value
        if used + amount > limit:
            return BudgetDecision(allowed=False, used=used, limit=limit, created=False)
        if counter is None:
            counter = self._counters[key] = _Counter(0, self._clock() + ttl_seconds)
        counter.value += amount
        return BudgetDecision(allowed=True, used=counter.value, limit=limit, created=created)

    async def settle(self, key: str, reserved: int, actual: int) -> int | None:
        """See `BudgetCounter.settle`."""
        counter = self._live(key)
        if counter is None:
            return None
        counter.value += actual - reserved
        return counter.value

    async def used(self, key: str) -> int:
        """See `BudgetCounter.used`."""
        counter = self._live(key)
        return 0 if counter is None else counter.value

    async def seed(self, key: str, value: int, ttl_seconds: int) -> bool:
        """See `BudgetCounter.seed`."""
        if self._live(key) is not None:
            return False
        self._counters[key] = _Counter(value, self._clock() + ttl_seconds)
        return True

    async def ping(self) -> None:
        """Always answers: the state lives in this process."""

    async def aclose(self) -> None:
        """Nothing to release."""

    def _live(self, key: str) -> _Counter | None:
        counter = self._counters.get(key)
        if counter is not None and counter.expires_at <= self._clock():
            del self._counters[key]
            return None
        return counter
