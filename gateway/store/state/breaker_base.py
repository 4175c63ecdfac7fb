"""Interface of the circuit-breaker state: one circuit per provider, shared by every gateway process.

    closed ──(N consecutive failures, or error rate ≥ r over ≥ m calls in the window)──▶ open
    open ──(cooldown elapsed, checked lazily by the next `allow`)──▶ half_open
    half_open ──(`half_open_probes` probe successes)──▶ closed
    half_open ──(any probe failure)──▶ open

Two implementations decide alike: `breaker_memory` (one process, the embedded default) and `breaker_redis` (one
Lua script per decision, so N processes on one Redis share each circuit). Both raise only `StateUnavailableError`
for a store failure; the caller decides to fail open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

CircuitState = Literal["closed", "open", "half_open"]
CIRCUIT_STATES: tuple[CircuitState, ...] = ("closed", "open", "half_open")


@dataclass(frozen=True)
class BreakerPolicy:
    """When a circuit opens and how it recovers.

    Attributes:
        failure_threshold: Consecutive failures that open the circuit.
        error_rate: Failure share in the current window that opens it (with at least `min_requests` calls).
        min_requests: Calls in the window before `error_rate` counts, so two failures of three don't trip it.
        window_seconds: Length of the (fixed) window the error rate is counted in.
        cooldown_seconds: How long an open circuit refuses calls before it lets probes through.
        half_open_probes: Probe calls let through while half-open; that many successes close the circuit.
    """

    failure_threshold: int = 5
    error_rate: float = 0.5
    min_requests: int = 20
    window_seconds: float = 60.0
    cooldown_seconds: float = 30.0
    half_open_probes: int = 1

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.min_requests < 1 or self.half_open_probes < 1:
            raise ValueError("failure_threshold, min_requests and half_open_probes must be >= 1")
        if not 0.0 < self.error_rate <= 1.0:
            raise ValueError("error_rate must be in (0, 1]")
        if self.window_seconds <= 0 or self.cooldown_seconds <= 0:
            raise ValueError("window_seconds and cooldown_seconds must be > 0")


@dataclass(frozen=True)
class Permit:
    """The answer of `allow`: may a call go to the provider now?

    Attributes:
        allowed: True when closed, or half-open with a probe slot free (the caller then holds that slot).
        previous: The state before this decision.
        state: The state after it (`open` → `half_open` happens here, once the cooldown has passed).
        retry_in: When refused because open, seconds until the circuit lets probes through; else 0.
    """

    allowed: bool
    previous: CircuitState
    state: CircuitState
    retry_in: float = 0.0


@dataclass(frozen=True)
class Recorded:
    """The state before and after one `record`."""

    previous: CircuitState
    state: CircuitState


@dataclass(frozen=True)
class CircuitSnapshot:
    """One circuit as `GET /admin/providers` shows it (read-only: reading never changes a state).

    `state` is the stored state, except that an open circuit whose cooldown has passed reads as `half_open`
    (the next call will probe). Counters: `successes` / `failures` since the circuit was first used,
    `times_opened` how often it tripped.
    """

    name: str
    state: CircuitState
    consecutive_failures: int = 0
    window_requests: int = 0
    window_failures: int = 0
    successes: int = 0
    failures: int = 0
    times_opened: int = 0
    retry_in: float = 0.0


@runtime_checkable
class BreakerStore(Protocol):
    """Circuit state per name (a provider), each decision atomic in the store."""

    async def allow(self, name: str, policy: BreakerPolicy) -> Permit:
        """Whether a call may go to `name` now; moves an open circuit to half-open after its cooldown and hands
        out the limited probe slots.

        Raises:
            StateUnavailableError: the store failed.
        """
        ...

    async def record(self, name: str, ok: bool, policy: BreakerPolicy) -> Recorded:
        """Count one call's outcome and apply the transitions it causes.

        Raises:
            StateUnavailableError: the store failed.
        """
        ...

    async def snapshot(self, names: list[str], policy: BreakerPolicy) -> list[CircuitSnapshot]:
        """The circuits of `names`, in order; a never-used circuit is closed with zero counts.

        Raises:
            StateUnavailableError: the store failed.
        """
        ...

    async def flush(self, policy: BreakerPolicy) -> None:
        """Send outcomes counted locally but not yet stored (at shutdown); a no-op where nothing is batched.

        Raises:
            StateUnavailableError: the store failed.
        """
        ...

    async def reset(self, name: str) -> None:
        """Forget a circuit (closed, zero counts). For operators and tests.

        Raises:
            StateUnavailableError: the store failed.
        """
        ...
