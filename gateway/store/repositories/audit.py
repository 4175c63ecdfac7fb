"""SQL for the audit log: appending under the chain-head lock, keyset reads for verification and export,
anchors, subject keys and retained content. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from gateway.store.sqlite_writes import OnThread
from gateway.store.tables import (
    AuditAnchor,
    AuditChainHead,
    AuditContent,
    AuditRecord,
    AuditSubjectKey,
    AuditTenantSetting,
)

HEAD_ID = 1
# The audit writer appends on its own long-lived connection (no ORM session, no pool checkout per batch); the
# functions it uses take either.
Executor = AsyncSession | AsyncConnection | OnThread  # OnThread: a SQLite file's writer thread
RECORD_COLUMNS = [c for c in AuditRecord.__table__.columns]


_HEAD = cast(Table, AuditChainHead.__table__)
# Built once: constructing a statement and its cache key costs more CPU than executing it, and the writer runs
# these for every batch (at concurrency 1, for every request).
_ADVANCE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(seq=_HEAD.c.seq + bindparam("count"), updated_at=bindparam("now"))
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)
_SET_HEAD_HASH = update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(hash=bindparam("head_hash"))
_RECORDS = cast(Table, AuditRecord.__table__)
_INSERT_RECORDS = insert(_RECORDS)
# One record onto a known head, in one statement (audit/solo.py, PostgreSQL): the CTE moves the head only from
# exactly the expected (seq, hash), and the INSERT writes the record only if it did. Bind names carry a prefix:
# an INSERT reserves its columns' own names for its VALUES clause.
_ADVANCED = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID, _HEAD.c.seq == bindparam("expected_seq"), _HEAD.c.hash == bindparam("expected_hash"))
    .values(seq=bindparam("head_seq"), hash=bindparam("head_hash"), updated_at=bindparam("now"))
    .returning(_HEAD.c.id)
    .cte("advanced")
)
_APPEND_ALONE = (
    insert(_RECORDS)
    .from_select(
        [column.name for column in RECORD_COLUMNS],
        select(*[bindparam("r_" + column.name, type_=column.type) for column in RECORD_COLUMNS]).where(
            exists(select(_ADVANCED.c.id))
        ),
    )
    .add_cte(_ADVANCED)
)
_INSERT_CONTENTS = insert(cast(Table, AuditContent.__table__))


async def advance_head(session: Executor, count: int, now: datetime) -> tuple[int, str]:
    """Reserve `count` sequence numbers: (last sequence before them, hash of that record).

    The UPDATE comes first on purpose: it takes the head row's lock (PostgreSQL) or the write lock (SQLite)
    before anything is read, so concurrent writers queue here and the chain stays linear until commit.
    """
    new_seq, prev_hash = (await session.execute(_ADVANCE_HEAD, {"count": count, "now": now})).one()
    return int(new_seq) - count, str(prev_hash)


async def lock_head(session: Executor, now: datetime) -> tuple[int, str]:
    """Lock the head without reserving anything (prune, anchors): (last sequence, its hash)."""
    return await advance_head(session, 0, now)


async def skip_commit_flush(session: Executor) -> None:
    """PostgreSQL: this transaction's commit returns before its WAL is flushed to disk. The record is committed
    and visible to every instance (a killed gateway loses nothing); a crash of PostgreSQL itself within
    ~3 x wal_writer_delay could lose it. No-op on SQLite."""
    dialect = session.dialect if isinstance(session, AsyncConnection) else session.get_bind().dialect
    if dialect.name == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit = off"))


async def append_alone(connection: AsyncConnection, row: dict[str, Any], now: datetime) -> bool:
    """Insert `row` (a whole record: seq, prev_hash and hash included) and move the head to it, in one statement,
    only if the head is still the record's predecessor (seq - 1, prev_hash). False: the head has moved, nothing
    was written. PostgreSQL only (SQLite has no data-modifying CTE); run it outside a transaction."""
    params: dict[str, Any] = {"r_" + column.name: row.get(column.name) for column in RECORD_COLUMNS}
    params.update(
        expected_seq=row["seq"] - 1,
        expected_hash=row["prev_hash"],
        head_seq=row["seq"],
        head_hash=row["hash"],
        now=now,
    )
    return (await connection.execute(_APPEND_ALONE, params)).rowcount == 1


async def skip_session_commit_flush(connection: AsyncConnection) -> None:
    """`skip_commit_flush` for every commit of this connection (PostgreSQL): for one used outside transactions."""
    await connection.execute(text("SET synchronous_commit = off"))


async def set_head_hash(session: Executor, head_hash: str) -> None:
    await session.execute(_SET_HEAD_HASH, {"head_hash": head_hash})


async def head(session: AsyncSession) -> tuple[int, str]:
    row = (await session.execute(select(AuditChainHead.seq, AuditChainHead.hash))).one()
    return int(row[0]), str(row[1])


async def insert_records(session: Executor, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(_INSERT_RECORDS, list(rows))


async def written_like(session: Executor, records: Sequence[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    """(request id, created at) of the records in the log with one of these request ids and one of these times
    (a superset of those pairs that are there: the caller matches pairs; SQLite hands back naive times)."""
    if not records:
        return []
    query = select(AuditRecord.request_id, AuditRecord.created_at).where(
        AuditRecord.created_at.in_({moment for _, moment in records}),
        AuditRecord.request_id.in_({request_id for request_id, _ in records}),
    )
    return [(str(row[0]), row[1]) for row in (await session.execute(query)).all()]


async def insert_contents(session: Executor, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(_INSERT_CONTENTS, list(rows))


async def records_from(
    session: AsyncSession, first_seq: int, last_seq: int | None, limit: int
) -> Sequence[Any]:
    """The next chunk in sequence order (keyset pagination: constant cost per chunk at any depth)."""
    query = select(*RECORD_COLUMNS).where(AuditRecord.seq >= first_seq).order_by(AuditRecord.seq).limit(limit)
    if last_seq is not None:
        query = query.where(AuditRecord.seq <= last_seq)
    return (await session.execute(query)).mappings().all()


async def seq_of_hash(session: AsyncSession, record_hash: str) -> int | None:
    query = select(AuditRecord.seq).where(AuditRecord.hash == record_hash).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def hash_at(session: AsyncSession, seq: int) -> str | None:
    return (await session.execute(select(AuditRecord.hash).where(AuditRecord.seq == seq))).scalar_one_or_none()


async def seq_bounds(
    session: AsyncSession,
    start: datetime | None,
    end: datetime | None,
    tenant_id: str | None = None,
    subject_hash: str | None = None,
) -> tuple[int | None, int | None]:
    """Lowest and highest sequence of the records in [start, end) (optionally of one tenant / subject)."""
    query = select(func.min(AuditRecord.seq), func.max(AuditRecord.seq))
    if start is not None:
        query = query.where(AuditRecord.created_at >= start)
    if end is not None:
        query = query.where(AuditRecord.created_at < end)
    if tenant_id is not None:
        query = query.where(AuditRecord.tenant_id == tenant_id)
    if subject_hash is not None:
        query = query.where(AuditRecord.subject_hash == subject_hash)
    low, high = (await session.execute(query)).one()
    return low, high


async def anchors(session: AsyncSession, kinds: Iterable[str] | None = None) -> Sequence[AuditAnchor]:
    query = select(AuditAnchor).order_by(AuditAnchor.seq, AuditAnchor.id)
    if kinds is not None:
        query = query.where(AuditAnchor.kind.in_(list(kinds)))
    return (await session.execute(query)).scalars().all()


async def latest_checkpoint(session: AsyncSession) -> AuditAnchor | None:
    """The newest prune checkpoint: the verified start of what is left of the log."""
    query = select(AuditAnchor).where(AuditAnchor.kind == "prune").order_by(AuditAnchor.seq.desc()).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def add_anchor(session: AsyncSession, anchor: AuditAnchor) -> AuditAnchor:
    session.add(anchor)
    await session.flush()
    return anchor


async def delete_records_through(session: AsyncSession, seq: int) -> int:
    await session.execute(delete(AuditContent).where(AuditContent.seq <= seq))
    result = await session.execute(delete(AuditRecord).where(AuditRecord.seq <= seq))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def retaining_tenants(session: Executor) -> set[str]:
    query = select(AuditTenantSetting.tenant_id).where(AuditTenantSetting.retain_prompts.is_(True))
    return set((await session.execute(query)).scalars().all())


async def tenant_setting(session: AsyncSession, tenant_id: str) -> AuditTenantSetting | None:
    return await session.get(AuditTenantSetting, tenant_id)


async def save_tenant_setting(session: AsyncSession, tenant_id: str, retain: bool, now: datetime) -> None:
    setting = await session.get(AuditTenantSetting, tenant_id)
    if setting is None:
        session.add(AuditTenantSetting(tenant_id=tenant_id, retain_prompts=retain, updated_at=now))
    else:
        setting.retain_prompts, setting.updated_at = retain, now
    await session.flush()


async def subject_keys(session: Executor, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, bytes]]:
    """(tenant_id, subject_hash) -> (key id, key) for the pairs that have a key."""
    wanted = set(pairs)
    if not wanted:
        return {}
    hashes = {subject for _, subject in wanted}
    key = AuditSubjectKey
    query = select(key.tenant_id, key.subject_hash, key.id, key.key).where(key.subject_hash.in_(hashes))
    found = (await session.execute(query)).all()
    return {(tenant, subject): (key_id, value) for tenant, subject, key_id, value in found if (tenant, subject) in wanted}


async def add_subject_keys(session: Executor, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(AuditSubjectKey), list(rows))


async def delete_subject_key(session: AsyncSession, tenant_id: str, subject_hash: str) -> list[str]:
    """Destroy the subject's key; returns the ids of the keys destroyed (none when there was no key)."""
    query = select(AuditSubjectKey.id).where(
        AuditSubjectKey.tenant_id == tenant_id, AuditSubjectKey.subject_hash == subject_hash
    )
    ids = list((await session.execute(query)).scalars().all())
    if ids:
        await session.execute(delete(AuditSubjectKey).where(AuditSubjectKey.id.in_(ids)))
    return ids


async def count_contents(session: AsyncSession, key_ids: Sequence[str]) -> int:
    if not key_ids:
        return 0
    query = select(func.count()).select_from(AuditContent).where(AuditContent.key_id.in_(list(key_ids)))
    return int((await session.execute(query)).scalar_one())


async def contents_with_keys(session: AsyncSession, seqs: Sequence[int]) -> dict[int, tuple[bytes, bytes, bytes | None]]:
    """seq -> (nonce, ciphertext, key or None when the key was destroyed)."""
    if not seqs:
        return {}
    query = (
        select(AuditContent.seq, AuditContent.nonce, AuditContent.ciphertext, AuditSubjectKey.key)
        .outerjoin(AuditSubjectKey, AuditSubjectKey.id == AuditContent.key_id)
        .where(AuditContent.seq.in_(list(seqs)))
    )
    return {int(r[0]): (r[1], r[2], r[3]) for r in (await session.execute(query)).all()}
