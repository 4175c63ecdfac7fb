"""SQL for tenants and API keys. Services pass a session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.sqlite_writes import OnThread
from gateway.store.tables import ApiKey, Tenant


async def tenant_by_name(session: AsyncSession, name: str) -> Tenant | None:
    return (await session.execute(select(Tenant).where(Tenant.name == name))).scalar_one_or_none()


async def tenant_by_id(session: AsyncSession, tenant_id: str) -> Tenant | None:
    return await session.get(Tenant, tenant_id)


async def list_tenants(session: AsyncSession) -> Sequence[Tenant]:
    return (await session.execute(select(Tenant).order_by(Tenant.created_at))).scalars().all()


async def add_tenant(session: AsyncSession, tenant: Tenant) -> None:
    session.add(tenant)
    await session.flush()


async def add_key(session: AsyncSession, key: ApiKey) -> None:
    session.add(key)
    await session.flush()


async def key_by_id(session: AsyncSession, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def list_keys(session: AsyncSession, tenant_id: str | None) -> Sequence[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at)
    if tenant_id is not None:
        query = query.where(ApiKey.tenant_id == tenant_id)
    return (await session.execute(query)).scalars().all()


async def key_with_tenant_by_hash(session: AsyncSession, key_hash: str) -> tuple[ApiKey, Tenant] | None:
    row = (
        await session.execute(
            select(ApiKey, Tenant).join(Tenant, Tenant.id == ApiKey.tenant_id).where(ApiKey.key_hash == key_hash)
        )
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None


async def touch_keys(session: AsyncSession | OnThread, last_used: dict[str, datetime]) -> None:
    """Record when keys were last used (batched by the ledger writer, not per request). In key order, so that the
    writers of several instances lock the rows in one order and never wait on each other in a circle."""
    for key_id, moment in sorted(last_used.items()):
        await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=moment))
