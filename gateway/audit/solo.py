"""One audit record appended in one statement, when the writer knows the chain's head (PostgreSQL).

A batch goes through five round trips (BEGIN; advance and lock the head; insert; set the head's hash; COMMIT),
and at low load a batch is one request's record, whose answer waits for that commit. On this project's VM every
round trip that wakes the database costs the writer 0.1 to 0.2 ms of CPU and more of latency (ADR 0019).

The writer remembers the head its last commit left. For a lone record it hashes the record onto that head and
sends one statement, run in its own implicit transaction: a CTE moves the head from exactly the remembered
(seq, hash) to the record's, and the INSERT writes the record only if the head moved. If another instance has
appended since, the UPDATE matches no row (it waits for that writer's lock, then re-reads the row), nothing is
written, and the writer takes the locking path, which reads the real head. The chain stays linear either way:
the head's seq only ever grows, so (seq, hash) cannot come back to a remembered state.

After a miss the writer does not guess again for a while: with several instances appending in turn, a guess
would mostly cost one more round trip.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.audit.chain import chain_hash
from gateway.audit.record import PendingRecord
from gateway.store.repositories import audit as audit_repo

MISS_BACKOFF_SECONDS = 1.0
log = logging.getLogger("gateway.audit")


class SoloAppender:
    """The remembered head and the one-statement append of a lone record, on its own autocommit connection."""

    def __init__(self, engine: AsyncEngine, *, durable: bool, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._durable = durable
        self._monotonic = monotonic
        self._connection: AsyncConnection | None = None
        self._head: tuple[int, str] | None = None
        self._guess_after = float("-inf")

    @property
    def enabled(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    def ready(self) -> bool:
        """Whether a lone record may try the one-statement way now."""
        return self.enabled and self._head is not None and self._monotonic() >= self._guess_after

    def remember(self, seq: int, head_hash: str) -> None:
        """The head a commit of this writer left."""
        self._head = (seq, head_hash)

    def forget(self) -> None:
        """After a failure nothing is known about the head until the locking path has read it again."""
        self._head = None

    async def append(self, pending: PendingRecord, now: datetime) -> bool:
        """Append `pending` onto the remembered head in one statement; False (nothing written) when the head
        has moved. Raises what the database raises, and the writer keeps the record for its next try, as it does
        when a locking-path transaction fails."""
        assert self._head is not None  # nosec B101 # callers ask `ready` first
        seq, prev_hash = self._head[0] + 1, self._head[1]
        pending.fields["retained"] = False  # the writer sends only records that need no retained content
        record_hash = chain_hash(prev_hash, pending.fields)
        row: dict[str, Any] = {**pending.fields, "seq": seq, "prev_hash": prev_hash, "hash": record_hash}
        if not await audit_repo.append_alone(await self._connect(), row, now):
            self._head = None
            self._guess_after = self._monotonic() + MISS_BACKOFF_SECONDS
            return False
        self._head = (seq, record_hash)
        return True

    async def _connect(self) -> AsyncConnection:
        if self._connection is None or self._connection.closed:
            connection = await self._engine.connect()
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            if not self._durable:  # as `skip_commit_flush` does per transaction on the locking path
                await audit_repo.skip_session_commit_flush(connection)
            self._connection = connection
        return self._connection

    async def close(self, *, invalidate: bool = False) -> None:
        """Close the connection; `invalidate` after a failure, so it is not pooled again."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if invalidate:
                await connection.invalidate()
            await connection.close()
        except Exception:  # already broken: nothing more to release
            log.debug("audit solo connection close failed", exc_info=True)
