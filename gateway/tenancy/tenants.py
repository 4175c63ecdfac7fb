"""Tenant administration: create, list, update. The caller owns the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import InvalidRequestError, NotFoundError
from gateway.store.repositories import keys as key_repo
from gateway.store.tables import Tenant

PII_POLICIES = ("redact", "block", "allow")
CACHE_MODES = ("off", "exact", "exact+semantic")


@dataclass
class TenantSettings:
    """The settings an operator may set on a tenant. In an update, only fields that were sent change."""

    rate_limit_per_minute: int | None = None
    tokens_per_minute: int | None = None
    monthly_token_budget: int | None = None
    monthly_budget_eur: float | None = None
    residency: str | None = None
    pii_policy: dict[str, Any] | None = None
    allowed_models: list[str] | None = None
    cache_mode: str | None = None
    disabled: bool | None = None


def _validate(settings: dict[str, Any], known_models: set[str]) -> None:
    policy = settings.get("pii_policy")
    if policy:
        modes = [policy.get("default")] + list((policy.get("types") or {}).values())
        bad = [m for m in modes if m is not None and m not in PII_POLICIES]
        if bad:
            raise InvalidRequestError(f"pii_policy modes must be one of {PII_POLICIES}.", param="pii_policy")
    if settings.get("cache_mode") not in (None, *CACHE_MODES):
        raise InvalidRequestError(f"cache_mode must be one of {CACHE_MODES}.", param="cache_mode")
    unknown = set(settings.get("allowed_models") or []) - known_models
    if unknown:
        raise InvalidRequestError(f"Unknown models in allowed_models: {sorted(unknown)}.", param="allowed_models")


async def create_tenant(
    session: AsyncSession, name: str, settings: dict[str, Any], known_models: set[str]
) -> Tenant:
    if await key_repo.tenant_by_name(session, name) is not None:
        raise InvalidRequestError(f"A tenant named '{name}' exists already.", param="name", code="tenant_exists")
    _validate(settings, known_models)
    tenant = Tenant(id=uuid.uuid4().hex, name=name, created_at=datetime.now(UTC), disabled=False)
    _apply(tenant, settings)
    await key_repo.add_tenant(session, tenant)
    return tenant


async def update_tenant(
    session: AsyncSession, tenant_id: str, settings: dict[str, Any], known_models: set[str]
) -> Tenant:
    tenant = await get_tenant(session, tenant_id)
    _validate(settings, known_models)
    _apply(tenant, settings)
    tenant.updated_at = datetime.now(UTC)
    return tenant


def _apply(tenant: Tenant, settings: dict[str, Any]) -> None:
    allowed = {f.name for f in fields(TenantSettings)}
    for name, value in settings.items():
        if name in allowed:
            setattr(tenant, name, value if name != "disabled" else bool(value))


async def get_tenant(session: AsyncSession, tenant_id: str) -> Tenant:
    tenant = await key_repo.tenant_by_id(session, tenant_id)
    if tenant is None:
        raise NotFoundError(f"No tenant with id '{tenant_id}'.", param="tenant_id", code="tenant_not_found")
    return tenant


async def list_tenants(session: AsyncSession) -> Sequence[Tenant]:
    return await key_repo.list_tenants(session)
