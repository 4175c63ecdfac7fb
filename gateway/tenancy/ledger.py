"""The usage ledger writer: rows are appended without waiting and written in batches by one background task.

A clean shutdown drains everything. A failed write keeps its rows and retries on the next flush, so a database
hiccup delays the ledger but loses nothing that this process accepted. A killed process loses the rows of its last
flush interval; the audit log holds their requests, and the reconciliation (tenancy/reconcile.py) rebuilds them
when an instance starts and every `reconcile_every` seconds (docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.store.repositories import keys as key_repo
from gateway.store.repositories import usage as usage_repo
from gateway.store.sqlite_writes import OnThread, sqlite_writes_for
from gateway.tenancy.reconcile import reconcile_ledger

log = logging.getLogger("gateway.ledger")

PERIODIC_GRACE_SECONDS = 10.0  # periodic runs leave the newest records to their own writers, which flush in 0.2 s


class LedgerWriter:
    def __init__(
        self,
        sessions: async_sessionmaker,  # type: ignore[type-arg]
        flush_interval: float = 0.2,
        batch_size: int = 500,
        reconcile_every: float = 0.0,
    ) -> None:
        self._sessions = sessions
        # a SQLite file: each flush is one hop to a thread, taking turns with the other writers (ADR 0022)
        self._sqlite = sqlite_writes_for(sessions.kw["bind"])
        self._flush_interval = flush_interval
        self._batch_size = batch_size
        self._rows: list[dict[str, Any]] = []
        self._last_used: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._reconcile_every = reconcile_every
        self._reconciler: asyncio.Task[None] | None = None
        self._stopping = False

    def append(self, row: dict[str, Any]) -> None:
        """Queue one ledger row (never blocks the request)."""
        self._rows.append(row)
        if row.get("key_id"):
            self._last_used[row["key_id"]] = row["created_at"]
        if len(self._rows) >= self._batch_size:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._rows)

    async def start(self) -> None:
        """Rebuild what killed instances lost (before this one serves), then start writing."""
        await self._reconcile(0.0)
        self._task = asyncio.create_task(self._run(), name="ledger-writer")
        if self._reconcile_every > 0:
            self._reconciler = asyncio.create_task(self._reconcile_periodically(), name="ledger-reconcile")

    async def _reconcile(self, grace_seconds: float) -> None:
        try:
            await reconcile_ledger(self._sessions, grace_seconds)
        except Exception:  # database down or busy: the next run catches up from the watermark
            log.exception("ledger reconciliation failed; will retry")

    async def _reconcile_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._reconcile_every)
            await self._reconcile(PERIODIC_GRACE_SECONDS)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._flush_interval)
            except TimeoutError:
                pass
            self._wake.clear()
            await self.flush()

    async def flush(self) -> None:
        """Write everything queued so far in one transaction; on failure keep it for the next try."""
        if not self._rows and not self._last_used:
            return
        rows, self._rows = self._rows, []
        last_used, self._last_used = self._last_used, {}
        try:
            if self._sqlite is not None:
                await self._sqlite.run(lambda on_thread: _write(on_thread, rows, last_used))
            else:
                async with self._sessions() as session, session.begin():
                    await _write(session, rows, last_used)
        except Exception:  # any database failure: keep the rows, retry next flush
            log.exception("ledger write failed; will retry", extra={"rows": len(rows)})
            self._rows[:0] = rows
            for key_id, moment in last_used.items():
                self._last_used.setdefault(key_id, moment)

    async def stop(self) -> None:
        """Stop the loop and drain the queue (a few attempts, then report what could not be written)."""
        self._stopping = True
        self._wake.set()
        if self._reconciler is not None:
            self._reconciler.cancel()
            await asyncio.gather(self._reconciler, return_exceptions=True)
        if self._task is not None:
            await self._task
        try:
            for _ in range(5):
                await self.flush()
                if not self._rows:
                    return
                await asyncio.sleep(0.2)
            log.error("ledger rows could not be written at shutdown", extra={"rows": len(self._rows)})
        finally:
            if self._sqlite is not None:
                self._sqlite.close()


async def _write(session: AsyncSession | OnThread, rows: list[dict[str, Any]], last_used: dict[str, datetime]) -> None:
    await usage_repo.insert_rows(session, rows)
    await key_repo.touch_keys(session, last_used)
