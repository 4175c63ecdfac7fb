"""SQL for tenants and API keys. Services pass a session; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.tables import ApiKey, Tenant


@dataclass(frozen=True)
class KeyRecord:
    """What authentication needs to know about a key, detached from the session."""

    key_id: str
    key_hash: str
    tenant_id: str
    tenant_name: str
    expires_at: datetime | None
    revoked_at: datetime | None


async def tenant_by_name(session: AsyncSession, name: str) -> Tenant | None:
    return (await session.execute(select(Tenant).where(Tenant.name == name))).scalar_one_or_none()


async def add_tenant(session: AsyncSession, tenant: Tenant) -> None:
    session.add(tenant)
    await session.flush()


async def add_key(session: AsyncSession, key: ApiKey) -> None:
    session.add(key)
    await session.flush()


async def key_by_hash(session: AsyncSession, key_hash: str) -> KeyRecord | None:
    row = (
        await session.execute(
            select(ApiKey.id, ApiKey.key_hash, ApiKey.tenant_id, Tenant.name, ApiKey.expires_at, ApiKey.revoked_at)
            .join(Tenant, Tenant.id == ApiKey.tenant_id)
            .where(ApiKey.key_hash == key_hash)
        )
    ).one_or_none()
    return KeyRecord(*row) if row is not None else None
