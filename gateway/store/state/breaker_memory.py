"""In-process circuit state: the embedded default for a single gateway process.

Atomic under asyncio because no method awaits between reading and writing. The transitions are the same as the
Redis script's (`breaker_lua`), so both backends decide alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from gateway.store.state.breaker_base import BreakerPolicy, CircuitSnapshot, CircuitState, Permit, Recorded

Clock = Callable[[], float]


@dataclass
class Circuit:
    """One circuit's state; times in seconds. The Redis backend reads its hash into this shape for snapshots."""

    state: CircuitState = "closed"
    consecutive: int = 0
    window_start: float = 0.0
    window_total: int = 0
    window_failures: int = 0
    opened_at: float = 0.0
    half_open_at: float = 0.0
    probes: int = 0  # probe slots handed out in this half-open period
    probe_successes: int = 0
    successes: int = 0
    failures: int = 0
    times_opened: int = 0

    def open(self, now: float) -> None:
        self.state, self.opened_at = "open", now
        self.times_opened += 1

    def close(self, now: float) -> None:
        self.state, self.consecutive = "closed", 0
        self.window_start, self.window_total, self.window_failures = now, 0, 0

    def half_open(self, now: float) -> None:
        self.state, self.half_open_at, self.probes, self.probe_successes = "half_open", now, 0, 0


class MemoryBreakerStore:
    """Circuits kept in this process."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._circuits: dict[str, Circuit] = {}

    async def allow(self, name: str, policy: BreakerPolicy) -> Permit:
        """See `BreakerStore.allow`."""
        circuit = self._circuits.get(name)
        if circuit is None or circuit.state == "closed":
            return Permit(True, "closed", "closed")
        now = self._clock()
        previous = circuit.state
        if circuit.state == "open":
            wait = circuit.opened_at + policy.cooldown_seconds - now
            if wait > 0:
                return Permit(False, "open", "open", wait)
            circuit.half_open(now)
        if now - circuit.half_open_at >= policy.cooldown_seconds:
            # Probes whose outcome never came (a cancelled request, a crashed instance) are handed out again.
            circuit.half_open_at, circuit.probes = now, circuit.probe_successes
        if circuit.probes < policy.half_open_probes:
            circuit.probes += 1
            return Permit(True, previous, "half_open")
        return Permit(False, previous, "half_open")

    async def record(self, name: str, ok: bool, policy: BreakerPolicy) -> Recorded:
        """See `BreakerStore.record`."""
        now = self._clock()
        circuit = self._circuits.setdefault(name, Circuit(window_start=now))
        previous = circuit.state
        if ok:
            circuit.successes += 1
        else:
            circuit.failures += 1
        if circuit.state == "half_open":
            _record_probe(circuit, ok, now, policy)
        elif circuit.state == "closed":
            _record_closed(circuit, ok, now, policy)
        # open: a late outcome of a call let through before the circuit opened changes nothing
        return Recorded(previous, circuit.state)

    async def snapshot(self, names: list[str], policy: BreakerPolicy) -> list[CircuitSnapshot]:
        """See `BreakerStore.snapshot`."""
        now = self._clock()
        return [snapshot_of(name, self._circuits.get(name), now, policy) for name in names]

    async def flush(self, policy: BreakerPolicy) -> None:
        """Nothing to send: every outcome is stored at once."""

    async def reset(self, name: str) -> None:
        """See `BreakerStore.reset`."""
        self._circuits.pop(name, None)

    async def ping(self) -> None:
        """Always answers: the state lives in this process."""

    async def aclose(self) -> None:
        """Nothing to release."""


def _record_probe(circuit: Circuit, ok: bool, now: float, policy: BreakerPolicy) -> None:
    if not ok:
        circuit.open(now)
        return
    circuit.probe_successes += 1
    if circuit.probe_successes >= policy.half_open_probes:
        circuit.close(now)


def _record_closed(circuit: Circuit, ok: bool, now: float, policy: BreakerPolicy) -> None:
    if now - circuit.window_start >= policy.window_seconds:
        circuit.window_start, circuit.window_total, circuit.window_failures = now, 0, 0
    circuit.window_total += 1
    if ok:
        circuit.consecutive = 0
        return
    circuit.consecutive += 1
    circuit.window_failures += 1
    tripped_rate = (
        circuit.window_total >= policy.min_requests
        and circuit.window_failures >= policy.error_rate * circuit.window_total
    )
    if circuit.consecutive >= policy.failure_threshold or tripped_rate:
        circuit.open(now)


def snapshot_of(name: str, circuit: Circuit | None, now: float, policy: BreakerPolicy) -> CircuitSnapshot:
    """How `circuit` reads at `now`, without changing it (an elapsed cooldown reads as half-open)."""
    if circuit is None:
        return CircuitSnapshot(name, "closed")
    state, retry_in = circuit.state, 0.0
    if state == "open":
        retry_in = max(0.0, circuit.opened_at + policy.cooldown_seconds - now)
        state = "open" if retry_in > 0 else "half_open"
    in_window = state == "closed" and now - circuit.window_start < policy.window_seconds
    return CircuitSnapshot(
        name,
        state,
        consecutive_failures=circuit.consecutive,
        window_requests=circuit.window_total if in_window else 0,
        window_failures=circuit.window_failures if in_window else 0,
        successes=circuit.successes,
        failures=circuit.failures,
        times_opened=circuit.times_opened,
        retry_in=retry_in,
    )
