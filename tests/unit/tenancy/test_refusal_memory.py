"""A key the limits refused is remembered until its retry-after has passed (a used-up budget, which has none, for
a second): the pipeline then decides its next request before spending a PII scrub on it."""

from __future__ import annotations

from datetime import datetime

import pytest

from gateway.errors import RateLimitError
from gateway.store.state.memory import MemoryBudgetCounter, MemoryRateLimiter
from gateway.tenancy import limits as limits_module
from gateway.tenancy.limits import Limits
from gateway.tenancy.policy import AuthenticatedTenant, TenantPolicy
from gateway.types import ChatRequest, Message


class _NoUsage:
    async def tokens_between(self, tenant_id: str, start: datetime, end: datetime) -> int:
        return 0

    async def cost_between(self, tenant_id: str, start: datetime, end: datetime) -> float:
        return 0.0


def _request() -> ChatRequest:
    return ChatRequest(model="gpt-4o-mini", messages=[Message(role="user", content="Hallo")], max_tokens=10)


async def test_a_refused_key_is_remembered_until_its_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(limits_module.time, "monotonic", lambda: now[0])
    limits = Limits(MemoryRateLimiter(), MemoryBudgetCounter(), _NoUsage())  # type: ignore[arg-type]
    tight = AuthenticatedTenant("t1", "t", "k1", policy=TenantPolicy(rate_limit_per_minute=1))
    other_key = AuthenticatedTenant("t1", "t", "k2", policy=TenantPolicy())
    await limits.admit(tight, _request())
    assert not limits.lately_refused(tight)
    with pytest.raises(RateLimitError) as refused:
        await limits.admit(tight, _request())
    assert refused.value.retry_after
    assert limits.lately_refused(tight) and not limits.lately_refused(other_key)
    now[0] += refused.value.retry_after + 0.01
    assert not limits.lately_refused(tight)


async def test_expired_refusals_of_keys_never_seen_again_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(limits_module.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(limits_module, "REFUSALS_SWEPT_AT", 5)
    limits = Limits(MemoryRateLimiter(), MemoryBudgetCounter(), _NoUsage())  # type: ignore[arg-type]
    assert limits._sweep_at == 5

    async def refuse(key_id: str) -> AuthenticatedTenant:
        tenant = AuthenticatedTenant(f"t-{key_id}", "t", key_id, policy=TenantPolicy(rate_limit_per_minute=1))
        await limits.admit(tenant, _request())
        with pytest.raises(RateLimitError):
            await limits.admit(tenant, _request())
        return tenant

    for number in range(5):  # five keys refused once, then never used again
        await refuse(f"old-{number}")
    now[0] += 61  # every retry-after has passed
    fresh = await refuse("fresh")
    assert limits.lately_refused(fresh)
    assert set(limits._refused) == {"fresh"}
