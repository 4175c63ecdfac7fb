"""Build the routing stage's parts from settings (called once by the composition root)."""

from __future__ import annotations

from typing import Any

from gateway.routing.breaker import Breakers
from gateway.routing.dispatch import Dispatcher, RetryPolicy
from gateway.settings import Settings
from gateway.store.state.breaker_base import BreakerPolicy, BreakerStore
from gateway.store.state.breaker_memory import MemoryBreakerStore


def breaker_policy(settings: Settings) -> BreakerPolicy:
    return BreakerPolicy(
        failure_threshold=settings.breaker_failure_threshold,
        error_rate=settings.breaker_error_rate,
        min_requests=settings.breaker_min_requests,
        window_seconds=settings.breaker_window_seconds,
        cooldown_seconds=settings.breaker_cooldown_seconds,
        half_open_probes=settings.breaker_half_open_probes,
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.routing_max_attempts,
        retries=settings.routing_retries,
        backoff=settings.routing_retry_backoff_seconds,
        max_wait=settings.routing_max_retry_wait_seconds,
    )


def build_dispatch(settings: Settings, redis: Any | None) -> tuple[Breakers, Dispatcher]:
    """Breakers in Redis when a client is given (every instance shares each circuit), else in this process."""
    store: BreakerStore
    if redis is None:
        store = MemoryBreakerStore()
    else:
        from gateway.store.state.breaker_redis import RedisBreakerStore

        store = RedisBreakerStore(redis, sync_seconds=settings.breaker_sync_seconds)
    breakers = Breakers(store, breaker_policy(settings))
    return breakers, Dispatcher(breakers, retry_policy(settings))
