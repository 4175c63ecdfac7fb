"""The budget month: its label follows the configured timezone and changes exactly at the boundary."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.store.state.memory import MemoryBudgetCounter, MemoryRateLimiter
from gateway.tenancy.limits import Limits


class _NoUsage:
    async def tokens_between(self, tenant_id: str, start: datetime, end: datetime) -> int:
        return 0

    async def cost_between(self, tenant_id: str, start: datetime, end: datetime) -> float:
        return 0.0


def _limits(timezone: str) -> Limits:
    return Limits(MemoryRateLimiter(), MemoryBudgetCounter(), _NoUsage(), budget_timezone=timezone)  # type: ignore[arg-type]


def test_the_month_label_changes_at_the_local_boundary() -> None:
    limits = _limits("Europe/Berlin")
    november = limits._current_month(datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC))
    december = limits._current_month(datetime(2026, 11, 30, 23, 0, 0, tzinfo=UTC))  # midnight in Berlin
    assert november[0] == "2026-11" and december[0] == "2026-12"
    assert november[2] == december[1] == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)


def test_a_later_time_in_the_same_month_keeps_the_label() -> None:
    limits = _limits("UTC")
    first = limits._current_month(datetime(2026, 2, 1, tzinfo=UTC))
    assert limits._current_month(datetime(2026, 2, 28, 23, 59, tzinfo=UTC)) == first
    assert limits._current_month(datetime(2026, 3, 1, tzinfo=UTC))[0] == "2026-03"
    assert limits._current_month(datetime(2026, 1, 31, tzinfo=UTC))[0] == "2026-01"  # going back works too
