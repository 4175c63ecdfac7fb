"""The audit writer: group commit onto the hash chain.

`observe` (called by the Settler for every request) queues the record and hands the request a future. One
background task takes everything queued, appends it to the chain in one transaction (head row locked first, so
several gateway instances append one after another) and resolves the futures when the commit returns. The
pipeline awaits that future before the response (or a stream's end) goes out: a request that got an answer has
its record committed. While one batch commits, the next one gathers, so the cost per request is one share of
a commit, not one commit. A lone record (low load) goes in one statement when the writer knows the head
(`solo.py`). See docs/adr/0007-audit-chain.md and 0019.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from gateway.audit import anchors
from gateway.audit.chain import chain_hash, timestamp
from gateway.audit.erasure import encrypt, new_key
from gateway.audit.record import PendingRecord, audit_fields
from gateway.audit.solo import SoloAppender
from gateway.errors import ServiceUnavailableError
from gateway.settings import Settings
from gateway.settle import Settlement
from gateway.store.repositories import audit as audit_repo
from gateway.store.sqlite_writes import sqlite_writes_for
from gateway.tenancy.costs import Cost

log = logging.getLogger("gateway.audit")


@dataclass(frozen=True)
class WriterOptions:
    linger_seconds: float = 0.0  # extra wait to gather a batch; 0 = commit as soon as the previous one ends
    max_batch: int = 1000
    settings_cache_seconds: float = 5.0  # how long "which tenants retain prompts" is cached
    anchor_every_seconds: float = 0.0  # periodic anchors; 0 = off
    anchor_secret: str | None = None
    retry_seconds: float = 0.5
    durable: bool = True  # False: PostgreSQL `synchronous_commit = off` for audit commits (see the ADR)

    @classmethod
    def from_settings(cls, settings: Settings) -> WriterOptions:
        secret = settings.audit_anchor_secret
        return cls(
            linger_seconds=settings.audit_linger_ms / 1000,
            anchor_every_seconds=settings.audit_anchor_interval_seconds,
            anchor_secret=secret.get_secret_value() if secret else None,
            durable=settings.audit_synchronous_commit,
        )


def _unavailable() -> ServiceUnavailableError:
    return ServiceUnavailableError("The audit log cannot be written right now; the request was not completed.",
                                   code="audit_unavailable")


def _identity(pending: PendingRecord) -> tuple[str, str]:
    """A record as the log would show it: its request id and canonical time (request ids may repeat)."""
    return pending.fields["request_id"], timestamp(pending.fields["created_at"])


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()  # an abandoned request never awaits its future: no "never retrieved" warning


class AuditWriter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], options: WriterOptions | None = None) -> None:
        self._sessions = sessions
        self._engine: AsyncEngine = sessions.kw["bind"]
        # Batches are appended on one connection kept for the writer: no pool checkout, reset and ping per
        # batch, which at concurrency 1 (a batch per request) was a large share of the audit log's CPU.
        self._connection: AsyncConnection | None = None
        self._options = options or WriterOptions()
        self._queue: list[PendingRecord] = []
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._retaining: set[str] = set()
        self._retaining_at = float("-inf")
        self._solo = SoloAppender(self._engine, durable=self._options.durable)
        self._sqlite = sqlite_writes_for(self._engine)  # a SQLite file: each batch is one hop to a thread

    def observe(self, record: Settlement, cost: Cost) -> None:
        """Queue the record; the request awaits `record.acks` before it answers."""
        pending = audit_fields(record, cost)
        pending.done = asyncio.get_running_loop().create_future()
        pending.done.add_done_callback(_retrieve)
        record.acks.append(pending.done)
        self._queue.append(pending)
        self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._queue)

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._run(), name="audit-writer"))
        if self._options.anchor_every_seconds > 0:
            self._tasks.append(asyncio.create_task(self._anchor_periodically(), name="audit-anchors"))

    async def _run(self) -> None:
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            if self._options.linger_seconds:
                await asyncio.sleep(self._options.linger_seconds)
            if not await self.flush():
                await asyncio.sleep(self._options.retry_seconds)
            if self._queue:
                self._wake.set()

    async def flush(self) -> bool:
        """Commit one batch (up to max_batch). False when the database failed: the records stay queued and
        their waiting requests fail with 503 (they are not acknowledged, and are written on a later try)."""
        batch = self._queue[: self._options.max_batch]
        if not batch:
            return True
        del self._queue[: len(batch)]
        try:
            if not (self._alone(batch) and await self._solo.append(batch[0], datetime.now(UTC))):
                if self._sqlite is not None:
                    head = await self._sqlite.run(lambda on_thread: self._append(on_thread, batch))
                else:
                    connection = await self._connect()
                    async with connection.begin():
                        head = await self._append(connection, batch)
                self._solo.remember(*head)
        except Exception:  # any database failure: keep the records, fail the waiting requests
            log.exception("audit write failed; will retry", extra={"records": len(batch)})
            await self._disconnect()  # the next batch starts on a fresh (pre-pinged) connection
            for pending in batch:
                if pending.done is not None and not pending.done.done():
                    pending.done.set_exception(_unavailable())
                pending.done = None
            self._requeue(batch)
            return False
        except BaseException:  # cancelled mid-commit: keep the records for the shutdown drain
            self._requeue(batch)
            await self._disconnect()
            raise
        for pending in batch:
            if pending.done is not None and not pending.done.done():
                pending.done.set_result(None)
        return True

    def _requeue(self, batch: list[PendingRecord]) -> None:
        """Put a batch whose write failed back in front; the failure may have come after its commit (a lost
        reply), so the next write looks for its records first."""
        for pending in batch:
            pending.unsure = True
        self._queue[:0] = batch

    async def _connect(self) -> AsyncConnection:
        if self._connection is None or self._connection.closed:
            self._connection = await self._engine.connect()
        return self._connection

    def _alone(self, batch: list[PendingRecord]) -> bool:
        """A lone record that needs no retained content, under a fresh "which tenants retain" (the locking path
        refreshes it): it may take the one-statement way (`solo.py`)."""
        return len(batch) == 1 and self._solo.ready() and self._retaining_fresh() and not self._retains(batch[0])

    def _retaining_fresh(self) -> bool:
        return time.monotonic() - self._retaining_at <= self._options.settings_cache_seconds

    def _retains(self, pending: PendingRecord) -> bool:
        """Whether the record's tenant keeps prompt content (under the last read of which tenants do)."""
        return bool(pending.subject and pending.prompt is not None and pending.subject[0] in self._retaining)

    async def _disconnect(self) -> None:
        """After a failure: both connections are dropped, and the head is read again under its lock."""
        self._solo.forget()
        await self._solo.close(invalidate=True)
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()  # a connection that failed mid-transaction is not reused
                await connection.close()
            except Exception:  # already broken: nothing more to release
                log.debug("audit connection close failed", exc_info=True)

    async def _append(self, session: audit_repo.Executor, batch: list[PendingRecord]) -> tuple[int, str]:
        """Append `batch` under the head's lock; returns the head it leaves (seq, hash) once committed."""
        now = datetime.now(UTC)
        if not self._options.durable:
            await audit_repo.skip_commit_flush(session)
        if any(pending.unsure for pending in batch):
            batch = await self._not_yet_written(session, batch, now)
        last_seq, prev_hash = await audit_repo.advance_head(session, len(batch), now)
        keys = await self._content_keys(session, batch, now)
        rows: list[dict[str, Any]] = []
        contents: list[dict[str, Any]] = []
        for offset, pending in enumerate(batch, start=1):
            seq = last_seq + offset
            key = keys.get(pending.subject) if pending.subject and pending.prompt is not None else None
            pending.fields["retained"] = key is not None
            record_hash = chain_hash(prev_hash, pending.fields)
            rows.append({**pending.fields, "seq": seq, "prev_hash": prev_hash, "hash": record_hash})
            prev_hash = record_hash
            if key is not None and pending.prompt is not None:
                nonce, ciphertext = encrypt(key[1], seq, pending.prompt)
                contents.append({"seq": seq, "key_id": key[0], "nonce": nonce, "ciphertext": ciphertext})
        await audit_repo.insert_records(session, rows)
        await audit_repo.insert_contents(session, contents)
        await audit_repo.set_head_hash(session, prev_hash)
        return last_seq + len(batch), prev_hash

    async def _not_yet_written(
        self, session: audit_repo.Executor, batch: list[PendingRecord], now: datetime
    ) -> list[PendingRecord]:
        """`batch` without the records an earlier, failed write committed after all (its reply lost). The head's
        lock is taken first: a commit still under way when its connection broke has ended once it is held."""
        await audit_repo.lock_head(session, now)
        unsure = [(p.fields["request_id"], p.fields["created_at"]) for p in batch if p.unsure]
        found = {(rid, timestamp(moment)) for rid, moment in await audit_repo.written_like(session, unsure)}
        kept = [p for p in batch if not (p.unsure and _identity(p) in found)]
        if len(kept) < len(batch):
            log.warning("audit records committed by a write that failed", extra={"records": len(batch) - len(kept)})
        return kept

    async def _content_keys(
        self, session: audit_repo.Executor, batch: list[PendingRecord], now: datetime
    ) -> dict[tuple[str, str], tuple[str, bytes]]:
        """Subject keys for the records whose tenant retains prompts; missing keys are created. Safe without
        ON CONFLICT: the head lock held by this transaction serialises every writer."""
        if not self._retaining_fresh():
            self._retaining = await audit_repo.retaining_tenants(session)
            self._retaining_at = time.monotonic()
        wanted = {p.subject for p in batch if p.subject and self._retains(p)}
        if not wanted:
            return {}
        keys = await audit_repo.subject_keys(session, wanted)
        missing = {pair: (uuid.uuid4().hex, new_key()) for pair in wanted - keys.keys()}
        await audit_repo.add_subject_keys(session, [
            {"id": key_id, "tenant_id": tenant, "subject_hash": subject, "key": key, "created_at": now}
            for (tenant, subject), (key_id, key) in missing.items()
        ])
        return {**keys, **missing}

    async def _anchor_periodically(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self._options.anchor_every_seconds)
            try:
                async with self._sessions() as session, session.begin():
                    await anchors.anchor_head(session, "periodic", self._options.anchor_secret)
            except Exception:  # an anchor is retried at the next interval
                log.exception("audit anchor failed")

    async def stop(self) -> None:
        """Stop the loops and commit what is still queued (a few attempts)."""
        self._stopping = True
        self._wake.set()
        for task in self._tasks[1:]:  # the anchor loop; the writer loop ends by itself after its batch
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for _ in range(5):
            while self._queue and await self.flush():
                pass
            if not self._queue:
                break
            await asyncio.sleep(0.2)
        else:
            log.error("audit records could not be written at shutdown", extra={"records": len(self._queue)})
        await self._solo.close()
        if self._sqlite is not None:
            self._sqlite.close()
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
