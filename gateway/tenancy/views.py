"""JSON views of tenants and keys, shared by the admin API and the CLI (never the key itself)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gateway.store.tables import ApiKey, Tenant


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def tenant_json(tenant: Tenant) -> dict[str, Any]:
    return {
        "id": tenant.id,
        "name": tenant.name,
        "created_at": _iso(tenant.created_at),
        "updated_at": _iso(tenant.updated_at),
        "disabled": bool(tenant.disabled),
        "rate_limit_per_minute": tenant.rate_limit_per_minute,
        "tokens_per_minute": tenant.tokens_per_minute,
        "monthly_token_budget": tenant.monthly_token_budget,
        "monthly_budget_eur": tenant.monthly_budget_eur,
        "residency": tenant.residency,
        "pii_policy": tenant.pii_policy,
        "allowed_models": tenant.allowed_models,
        "cache_mode": tenant.cache_mode,
    }


def key_json(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "tenant_id": key.tenant_id,
        "name": key.name,
        "prefix": key.prefix,
        "role": key.role,
        "created_at": _iso(key.created_at),
        "last_used_at": _iso(key.last_used_at),
        "expires_at": _iso(key.expires_at),
        "revoked_at": _iso(key.revoked_at),
        "rate_limit_per_minute": key.rate_limit_per_minute,
        "tokens_per_minute": key.tokens_per_minute,
    }
