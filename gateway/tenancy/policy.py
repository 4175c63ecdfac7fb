"""What the request path needs to know about the caller: the tenant, its key, and the tenant's settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TenantPolicy:
    """A tenant's settings, as cached with its key. None means "no limit" / "not restricted"."""

    rate_limit_per_minute: int | None = None
    tokens_per_minute: int | None = None
    monthly_token_budget: int | None = None
    monthly_budget_eur: float | None = None
    residency: str | None = None
    pii_policy: dict[str, Any] | None = None
    allowed_models: tuple[str, ...] | None = None
    cache_mode: str | None = None  # off | exact | exact+semantic; None: the gateway's default


@dataclass(frozen=True)
class AuthenticatedTenant:
    tenant_id: str
    tenant_name: str
    key_id: str
    role: str = "tenant"
    policy: TenantPolicy = field(default_factory=TenantPolicy)
    key_rate_limit_per_minute: int | None = None
    key_tokens_per_minute: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
