"""Write transactions on a SQLite file, each run whole on a thread of the writer's own (ADR 0022).

Through aiosqlite every statement is several hops between the event loop and aiosqlite's thread (cursor,
execute, fetch, close), and each hop waits for the loop's next turn: under load an audit batch of four statements
held SQLite's write lock 4.7 ms on average, most of it waiting for a busy loop, and two workers, whose writers
take turns on that lock, were no faster than one. Here the frequent writers (audit batches, ledger flushes) hand
the whole transaction to their own thread, which takes the write turn (an exclusive `flock` beside the database,
ADR 0021), runs every statement on a synchronous connection, commits and lets go: one hop, and the lock is held
only while SQLite works.

The transaction is the writer's ordinary async code (the same repository functions as on PostgreSQL), given an
`OnThread` connection whose `execute` answers at once, so the coroutine runs to its end in one step on the
thread. A coroutine that would really wait there is a bug, and raises.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, TypeVarTuple, overload

from sqlalchemy import Connection, CursorResult, Dialect, Engine, Executable
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.selectable import TypedReturnsRows
from sqlalchemy.util.typing import TupleAny

from gateway.store.db import open_lock_file, sqlite_file_twin, sqlite_lock_path

T = TypeVar("T")
_Ts = TypeVarTuple("_Ts")


class OnThread:
    """What the repositories call on a connection (`execute`, `get_bind`, `dialect`), answered at once by the
    writer's synchronous connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.dialect: Dialect = connection.dialect

    @overload
    async def execute(
        self, statement: TypedReturnsRows[*_Ts], parameters: Any = None
    ) -> CursorResult[*_Ts]: ...

    @overload
    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[*TupleAny]: ...

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[*TupleAny]:
        return self._connection.execute(statement, parameters)

    def get_bind(self) -> Connection:
        return self._connection


class SqliteWrites:
    """One writer's transactions on one SQLite file: in order, one at a time, on the writer's own thread."""

    def __init__(self, engine: AsyncEngine, lock_path: str) -> None:
        self._async_engine = engine
        self.lock_path = lock_path
        self._pid = 0  # the process that made the thread, engine and fd: a forked child makes its own
        self._thread: ThreadPoolExecutor | None = None
        self._engine: Engine | None = None
        self._fd: int | None = None

    async def run(self, work: Callable[[OnThread], Coroutine[Any, Any, T]]) -> T:
        """Run `work` as one transaction on the thread and return its result once committed. Cancelled, the
        transaction still ends on the thread (committed or rolled back), before this writer's next one starts."""
        if self._pid != os.getpid():
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writes")
            self._engine = sqlite_file_twin(self._async_engine)
            self._fd = open_lock_file(self.lock_path)
            self._pid = os.getpid()
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._transaction, work)

    def _transaction(self, work: Callable[[OnThread], Coroutine[Any, Any, T]]) -> T:
        assert self._engine is not None and self._fd is not None  # nosec B101 # type narrowing: set by run()
        fcntl.flock(self._fd, fcntl.LOCK_EX)  # the write turn: waits in the kernel for the other writers
        try:
            with self._engine.connect() as connection:
                try:
                    with connection.begin():
                        return _complete(work(OnThread(connection)))
                except BaseException:
                    connection.invalidate()  # a connection that failed mid-transaction is not reused
                    raise
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Let the last transaction end, then close the thread, the connection and the lock file (shutdown)."""
        if self._pid != os.getpid():
            return
        assert self._thread is not None and self._engine is not None and self._fd is not None  # nosec B101
        self._thread.shutdown(wait=True)
        self._engine.dispose()
        os.close(self._fd)
        self._pid = 0


def sqlite_writes_for(engine: AsyncEngine) -> SqliteWrites | None:
    """The thread for `engine`'s database when it is a SQLite file, with its lock at `<file>.writelock`. None for
    PostgreSQL (whose row locks wake waiters at once, and whose driver needs no hops) and in-memory SQLite (which
    another connection cannot open)."""
    lock_path = sqlite_lock_path(engine)
    return None if lock_path is None else SqliteWrites(engine, lock_path)


def _complete(step: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine whose every await is answered at once to its end, in one step."""
    try:
        step.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    step.close()
    raise RuntimeError("a transaction on the SQLite write thread waited for something")
