"""Shared, fast state: sliding-window rate limits and monthly budget counters, in memory or in Redis."""

from gateway.store.state.base import (
    BudgetCounter,
    BudgetDecision,
    Limit,
    RateDecision,
    RateLimiter,
    StateUnavailableError,
)
from gateway.store.state.memory import MemoryBudgetCounter, MemoryRateLimiter
from gateway.store.state.redis_backend import RedisBudgetCounter, RedisRateLimiter

__all__ = [
    "BudgetCounter",
    "BudgetDecision",
    "Limit",
    "MemoryBudgetCounter",
    "MemoryRateLimiter",
    "RateDecision",
    "RateLimiter",
    "RedisBudgetCounter",
    "RedisRateLimiter",
    "StateUnavailableError",
]
