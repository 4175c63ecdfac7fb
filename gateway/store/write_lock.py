"""One writer at a time on a SQLite file, woken the moment the previous one finishes (ADR 0021).

SQLite lets one connection write at a time. A connection that finds the write lock taken retries in SQLite's
busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25 ... ms between tries and cannot be replaced from Python's
`sqlite3`. With two workers on one file, their audit and ledger writers met in those sleeps: two workers were no
faster than one, with the machine a quarter idle. So the frequent writers (audit batches, ledger flushes) first
take an exclusive `flock` on a file beside the database: a waiter blocks in the kernel, in a thread of its own,
and wakes as soon as the holder releases. SQLite's own lock stays for every other writer (admin API, CLI,
pruning): they are correct without this lock, only slower when they meet one of these.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine


class WriteLock:
    """An async context manager around one write transaction. A no-op without a path (PostgreSQL, whose row
    locks wake waiters at once, and in-memory SQLite, which no other process can open)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._fd: int | None = None
        self._pid = 0  # who opened _fd: a forked child opens its own (a shared fd would not exclude)
        self._local = asyncio.Lock()  # the fd's holder within this process: flock does not exclude its own fd
        self._waiter: ThreadPoolExecutor | None = None

    async def __aenter__(self) -> None:
        if self.path is None:
            return
        await self._local.acquire()
        try:
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass  # held by another writer: wait for it below
        except BaseException:
            self._local.release()
            raise
        if self._waiter is None:
            self._waiter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-write-lock")
        waiting = asyncio.get_running_loop().run_in_executor(self._waiter, fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            # The thread still waits; whenever it gets the lock, it is released again, and only then may the
            # next writer of this process use the fd.
            waiting.add_done_callback(self._abandoned)
            raise
        except BaseException:
            self._local.release()
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.path is None:
            return
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._local.release()

    def _open(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            assert self.path is not None  # nosec B101 # type narrowing: only called with a path
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd

    def _abandoned(self, waiting: asyncio.Future[None]) -> None:
        try:
            if not waiting.cancelled() and waiting.exception() is None and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._local.release()

    def close(self) -> None:
        """Close the file and the waiting thread (shutdown; the lock is not held then)."""
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None
        if self._waiter is not None:
            self._waiter.shutdown(wait=False)
            self._waiter = None


def write_lock_for(engine: AsyncEngine) -> WriteLock:
    """The lock for `engine`'s database: `<file>.writelock` beside a SQLite file, none otherwise."""
    url = engine.url
    database = url.database or ""
    in_memory = database in ("", ":memory:") or url.query.get("mode") == "memory"
    if engine.dialect.name != "sqlite" or in_memory:
        return WriteLock(None)
    return WriteLock(os.path.abspath(database) + ".writelock")
