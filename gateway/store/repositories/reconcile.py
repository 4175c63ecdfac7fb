"""SQL of the ledger reconciliation: the watermark row, and the audit records past it whose ledger row is missing.
The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.tables import AuditRecord, LedgerReconciled, UsageRecord

MARK_ID = 1
RECORD_COLUMNS = (
    AuditRecord.request_id,
    AuditRecord.usage_id,
    AuditRecord.usage_detail,
    AuditRecord.created_at,
    AuditRecord.tenant_id,
    AuditRecord.key_id,
    AuditRecord.requested_model,
    AuditRecord.model,
    AuditRecord.provider,
    AuditRecord.status,
    AuditRecord.outcome,
    AuditRecord.prompt_tokens,
    AuditRecord.completion_tokens,
    AuditRecord.cache_hit,
    AuditRecord.stream,
)


async def lock_mark(session: AsyncSession, now: datetime) -> int:
    """The watermark (audit records up to it are reconciled), locked until commit.

    The UPDATE comes first on purpose, as for the audit chain head: it takes the row lock (PostgreSQL) or the
    write lock (SQLite) before anything is read, so reconcilers on several instances run one after another.
    """
    statement = (
        update(LedgerReconciled)
        .where(LedgerReconciled.id == MARK_ID)
        .values(updated_at=now)
        .returning(LedgerReconciled.seq)
    )
    return int((await session.execute(statement)).scalar_one())


async def set_mark(session: AsyncSession, seq: int) -> None:
    await session.execute(update(LedgerReconciled).where(LedgerReconciled.id == MARK_ID).values(seq=seq))


async def reconcilable_end(session: AsyncSession, after: int, limit: int, younger_than: datetime) -> int:
    """The last sequence of the next run of records after `after` (at most `limit` sequence numbers, counted from
    the first record, so a pruned gap is crossed) that stops before the first record created at or after
    `younger_than` (its ledger row may still be on its way). `after` itself when there is nothing to do."""
    first = select(func.min(AuditRecord.seq)).where(AuditRecord.seq > after).scalar_subquery()
    last = select(func.max(AuditRecord.seq)).where(AuditRecord.seq > after, AuditRecord.seq < first + limit)
    young = select(func.min(AuditRecord.seq)).where(AuditRecord.seq > after, AuditRecord.created_at >= younger_than)
    end, first_young = (await session.execute(select(last.scalar_subquery(), young.scalar_subquery()))).one()
    if end is None:
        return after
    return int(end) if first_young is None else max(after, min(int(end), int(first_young) - 1))


async def records_without_row(session: AsyncSession, after: int, through: int) -> Sequence[Any]:
    """Records in (after, through] that carry a usage id no ledger row has (an anti-join on the unique index)."""
    has_row = exists().where(UsageRecord.usage_id == AuditRecord.usage_id)
    query = select(*RECORD_COLUMNS).where(
        AuditRecord.seq > after, AuditRecord.seq <= through, AuditRecord.usage_id.is_not(None), ~has_row
    )
    return (await session.execute(query)).mappings().all()
