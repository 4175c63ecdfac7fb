"""Ledger reconciliation: the ledger rows a killed instance never wrote, rebuilt from the audit log.

Every answered request has its audit record committed before the answer goes out; its ledger row follows in a
batch up to one flush interval later (tenancy/ledger.py), so a SIGKILL can lose the row but never the record.
The reconciliation walks the audit records past a shared watermark, inserts the ledger row of each record whose
usage id the ledger lacks (rebuilt by tenancy/ledger_row.py) and moves the watermark on. Nothing of this is on the
request path: it runs when an instance starts and then periodically.

Correct with many instances and any interleaving: each run of records is one transaction holding the watermark
row locked, so reconcilers take turns; and rows are inserted only where their usage id is absent (unique index),
so a row backfilled here and the same row flushed late by its own writer end up written once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.store.repositories import reconcile as reconcile_repo
from gateway.store.repositories import usage as usage_repo
from gateway.tenancy.ledger_row import from_audit

log = logging.getLogger("gateway.ledger")

CHUNK = 5000  # records per transaction: keeps the watermark lock (and SQLite's write lock) short


@dataclass
class ReconcileReport:
    through_seq: int  # audit records up to this sequence number have their ledger rows
    backfilled: int  # rows written by this run

    def as_json(self) -> dict[str, int]:
        return {"through_seq": self.through_seq, "backfilled": self.backfilled}


async def reconcile_ledger(
    sessions: async_sessionmaker[AsyncSession], grace_seconds: float = 0.0, chunk: int = CHUNK
) -> ReconcileReport:
    """Backfill the missing ledger rows of the audit records past the watermark, stopping before the first
    record younger than `grace_seconds` (its own writer is probably about to flush it; 0 at start-up)."""
    report = ReconcileReport(through_seq=0, backfilled=0)
    while True:
        async with sessions() as session, session.begin():
            after, end, written = await _step(session, grace_seconds, chunk)
        report.through_seq = end
        report.backfilled += written
        if end == after:
            break
    if report.backfilled:
        log.warning("ledger rows rebuilt from the audit log", extra={"rows": report.backfilled})
    return report


async def _step(session: AsyncSession, grace_seconds: float, chunk: int) -> tuple[int, int, int]:
    """One run of records: (watermark before, watermark after, rows written)."""
    now = datetime.now(UTC)
    after = await reconcile_repo.lock_mark(session, now)
    end = await reconcile_repo.reconcilable_end(session, after, chunk, now - timedelta(seconds=grace_seconds))
    if end == after:
        return after, end, 0
    missing = await reconcile_repo.records_without_row(session, after, end)
    await usage_repo.insert_rows(session, [from_audit(record) for record in missing])
    await reconcile_repo.set_mark(session, end)
    return after, end, len(missing)
