"""SQL for the usage ledger: batched inserts and the monthly / daily aggregates the admin API reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.sqlite_writes import OnThread
from gateway.store.tables import UsageRecord

_LEDGER = cast(Table, UsageRecord.__table__)


async def insert_rows(session: AsyncSession | OnThread, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows whose usage id is not in the ledger yet (the writer's late flush and the reconciliation's
    backfill of the same request can meet; one statement either way, and no error for the loser)."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # On the table, not the mapped class: the ORM's bulk insert spends CPU per row that plain rows don't need.
    statement = dialect.insert(_LEDGER).on_conflict_do_nothing(index_elements=[_LEDGER.c.usage_id])
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    # In usage-id order: each insert takes the unique index's row locks as it goes, and a writer and a reconciler
    # carrying the same ids in opposite orders would wait on each other until PostgreSQL aborted one (deadlock).
    for row in sorted(rows, key=_usage_id):  # one executemany per set of columns (the writer's rows share one)
        by_columns.setdefault(tuple(row), []).append(dict(row))
    for same in by_columns.values():
        await session.execute(statement, same)


def _usage_id(row: dict[str, Any]) -> str:
    return str(row.get("usage_id") or "")


async def tenant_tokens_between(session: AsyncSession, tenant_id: str, start: datetime, end: datetime) -> int:
    """Total tokens billed to a tenant in [start, end): what a budget counter is re-seeded from."""
    total = func.coalesce(func.sum(UsageRecord.prompt_tokens + UsageRecord.completion_tokens), 0)
    query = select(total).where(
        UsageRecord.tenant_id == tenant_id, UsageRecord.created_at >= start, UsageRecord.created_at < end
    )
    return int((await session.execute(query)).scalar_one())


async def tenant_cost_between(session: AsyncSession, tenant_id: str, start: datetime, end: datetime) -> float:
    query = select(func.coalesce(func.sum(UsageRecord.cost_eur), 0)).where(
        UsageRecord.tenant_id == tenant_id, UsageRecord.created_at >= start, UsageRecord.created_at < end
    )
    return float((await session.execute(query)).scalar_one())


async def summary_by_model(
    session: AsyncSession, start: datetime, end: datetime, tenant_id: str | None
) -> Sequence[Any]:
    """Per tenant, model and provider: requests, tokens in/out, cost EUR within [start, end)."""
    query = (
        select(
            UsageRecord.tenant_id,
            UsageRecord.model,
            UsageRecord.provider,
            func.count().label("requests"),
            func.coalesce(func.sum(UsageRecord.prompt_tokens), 0).label("prompt_tokens"),
            func.coalesce(func.sum(UsageRecord.completion_tokens), 0).label("completion_tokens"),
            func.coalesce(func.sum(UsageRecord.cost_eur), 0).label("cost_eur"),
        )
        .where(UsageRecord.created_at >= start, UsageRecord.created_at < end)
        .group_by(UsageRecord.tenant_id, UsageRecord.model, UsageRecord.provider)
        .order_by(UsageRecord.tenant_id, UsageRecord.model)
    )
    if tenant_id is not None:
        query = query.where(UsageRecord.tenant_id == tenant_id)
    return (await session.execute(query)).all()


async def daily_series(session: AsyncSession, start: datetime, end: datetime, tenant_id: str | None) -> Sequence[Any]:
    """Per tenant and UTC day: requests, tokens in/out, cost EUR within [start, end). `date()` exists in both
    SQLite and PostgreSQL; PostgreSQL sessions run in UTC (see store.db)."""
    day = func.date(UsageRecord.created_at).label("day")
    query = (
        select(
            UsageRecord.tenant_id,
            day,
            func.count().label("requests"),
            func.coalesce(func.sum(UsageRecord.prompt_tokens), 0).label("prompt_tokens"),
            func.coalesce(func.sum(UsageRecord.completion_tokens), 0).label("completion_tokens"),
            func.coalesce(func.sum(UsageRecord.cost_eur), 0).label("cost_eur"),
        )
        .where(UsageRecord.created_at >= start, UsageRecord.created_at < end)
        .group_by(UsageRecord.tenant_id, day)
        .order_by(UsageRecord.tenant_id, day)
    )
    if tenant_id is not None:
        query = query.where(UsageRecord.tenant_id == tenant_id)
    return (await session.execute(query)).all()
