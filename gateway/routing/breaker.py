"""Circuit breakers per provider: the policy, the shared state store, and who hears about transitions.

The state lives in a `BreakerStore` (in-process or Redis, see `gateway/store/state/breaker_base.py`), so every
gateway instance on one Redis keeps traffic off the same broken provider. A store failure never blocks traffic:
the breaker then fails open (calls go through, the failure is logged), because a breaker that cannot be read
is a smaller risk than refusing every request.

Transitions are logged and passed to listeners (`subscribe`), the hook for metrics: a Prometheus counter of
transitions by provider and state is one listener.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from gateway.store.state.base import StateUnavailableError
from gateway.store.state.breaker_base import (
    BreakerPolicy,
    BreakerStore,
    CircuitSnapshot,
    CircuitState,
    Permit,
)

log = logging.getLogger("gateway.routing.breaker")

__all__ = ["BreakerPolicy", "Breakers", "CircuitSnapshot", "CircuitState", "Permit", "Transition"]


@dataclass(frozen=True)
class Transition:
    """A circuit changed state. Seen once, by the instance whose call caused it."""

    provider: str
    previous: CircuitState
    state: CircuitState


TransitionListener = Callable[[Transition], None]
_FAIL_OPEN = Permit(True, "closed", "closed")


class Breakers:
    """One circuit per provider, decided by `store` under `policy`."""

    def __init__(
        self, store: BreakerStore, policy: BreakerPolicy, listeners: list[TransitionListener] | None = None
    ) -> None:
        self.store = store
        self.policy = policy
        self._listeners = list(listeners or [])

    def subscribe(self, listener: TransitionListener) -> None:
        """Call `listener` on every transition this instance causes (e.g. to count them in metrics)."""
        self._listeners.append(listener)

    async def allow(self, provider: str) -> Permit:
        """Whether a call may go to `provider` now; fails open when the store is unavailable."""
        try:
            permit = await self.store.allow(provider, self.policy)
        except StateUnavailableError as exc:
            log.warning("breaker state unavailable, letting the call through", extra={"error": str(exc)})
            return _FAIL_OPEN
        self._notify(provider, permit.previous, permit.state)
        return permit

    async def record(self, provider: str, ok: bool) -> None:
        """Count one call's outcome: `ok=False` for a retryable upstream failure, True for an answer."""
        try:
            recorded = await self.store.record(provider, ok, self.policy)
        except StateUnavailableError as exc:
            log.warning("breaker state unavailable, outcome not recorded", extra={"error": str(exc)})
            return
        self._notify(provider, recorded.previous, recorded.state)

    async def flush(self) -> None:
        """Store the outcomes counted locally (at shutdown); a store failure is logged, not raised."""
        try:
            await self.store.flush(self.policy)
        except StateUnavailableError as exc:
            log.warning("breaker state unavailable, batched outcomes not stored", extra={"error": str(exc)})

    async def snapshot(self, providers: list[str]) -> list[CircuitSnapshot]:
        """The circuits of `providers`, in order.

        Raises:
            StateUnavailableError: the store failed.
        """
        return await self.store.snapshot(providers, self.policy)

    def _notify(self, provider: str, previous: CircuitState, state: CircuitState) -> None:
        if previous == state:
            return
        transition = Transition(provider, previous, state)
        log.warning(
            "circuit %s for provider %s",
            state,
            provider,
            extra={"provider": provider, "from_state": previous, "to_state": state},
        )
        for listener in self._listeners:
            try:
                listener(transition)
            except Exception:  # a broken metrics hook must not fail a request
                log.exception("breaker transition listener failed")
