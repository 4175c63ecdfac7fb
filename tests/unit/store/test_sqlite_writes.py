"""SQLite writes on a thread of the writer's own: a whole transaction in one hop, writers taking turns within
and across processes, and a cancelled or failed transaction leaving nothing held."""

from __future__ import annotations

import asyncio
import fcntl
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.audit.verify import verify_chain
from gateway.store import db
from gateway.store.sqlite_writes import OnThread, SqliteWrites, sqlite_writes_for

ROOT = Path(__file__).resolve().parents[3]


def _free(path: str) -> bool:
    """Whether a new open file description could take the lock right now."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing releases a lock taken here
    return True


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    await engine.dispose()


@pytest.fixture
async def writes(engine: AsyncEngine) -> AsyncIterator[SqliteWrites]:
    """The writer thread of the engine's file, closed after the test."""
    on_file = sqlite_writes_for(engine)
    assert on_file is not None
    yield on_file
    on_file.close()


async def _rows(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        return [int(row[0]) for row in await connection.execute(text("SELECT n FROM t ORDER BY n"))]


def _insert(*numbers: int) -> Callable[[OnThread], Coroutine[Any, Any, str]]:
    async def work(on_thread: OnThread) -> str:
        for n in numbers:
            await on_thread.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
        return threading.current_thread().name

    return work


def test_only_a_sqlite_file_gets_a_writer_thread(tmp_path: Path) -> None:
    on_file = sqlite_writes_for(create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"))
    assert on_file is not None and on_file.lock_path == str(tmp_path / "g.db") + ".writelock"
    assert sqlite_writes_for(create_async_engine("sqlite+aiosqlite:///:memory:")) is None
    assert sqlite_writes_for(create_async_engine("sqlite+aiosqlite://")) is None
    assert sqlite_writes_for(create_async_engine("postgresql+asyncpg://u@127.0.0.1/x")) is None


async def test_a_transaction_runs_whole_on_the_writer_thread_and_is_committed(
    engine: AsyncEngine, writes: SqliteWrites
) -> None:
    ran_on = await writes.run(_insert(1, 2, 3))
    assert ran_on.startswith("sqlite-writes") and ran_on != threading.current_thread().name
    assert await _rows(engine) == [1, 2, 3]  # visible to another connection: committed
    assert _free(writes.lock_path)


async def test_a_failed_transaction_is_rolled_back_and_the_next_one_runs(
    engine: AsyncEngine, writes: SqliteWrites
) -> None:

    async def fails(on_thread: OnThread) -> None:
        await on_thread.execute(text("INSERT INTO t (n) VALUES (1)"))
        raise ConnectionResetError("lost mid-transaction")

    with pytest.raises(ConnectionResetError):
        await writes.run(fails)
    assert _free(writes.lock_path)
    await writes.run(_insert(2))
    assert await _rows(engine) == [2]


async def test_work_that_really_waits_is_refused_and_rolled_back(engine: AsyncEngine, writes: SqliteWrites) -> None:

    async def waits(on_thread: OnThread) -> None:
        await on_thread.execute(text("INSERT INTO t (n) VALUES (1)"))
        await asyncio.sleep(0)  # yields: it would need the event loop, which is not on this thread

    with pytest.raises(RuntimeError, match="waited"):
        await writes.run(waits)
    assert await _rows(engine) == []
    assert _free(writes.lock_path)


async def test_two_writers_of_one_process_take_turns(engine: AsyncEngine) -> None:
    first, second = sqlite_writes_for(engine), sqlite_writes_for(engine)  # the audit and the ledger writer, say
    assert first is not None and second is not None
    inside = threading.Semaphore(1)
    overlaps = 0

    def turn(numbers: range) -> Callable[[OnThread], Coroutine[Any, Any, None]]:
        async def work(on_thread: OnThread) -> None:
            nonlocal overlaps
            if not inside.acquire(blocking=False):
                overlaps += 1
            for n in numbers:
                await on_thread.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
            inside.release()

        return work

    await asyncio.gather(*(
        writes.run(turn(range(start, start + 50)))
        for start in range(0, 500, 50)
        for writes in ([first] if start % 100 == 0 else [second])
    ))
    assert overlaps == 0
    assert await _rows(engine) == list(range(500))
    first.close()
    second.close()


async def test_another_process_holding_the_write_turn_is_waited_for(engine: AsyncEngine, writes: SqliteWrites) -> None:
    holder = textwrap.dedent(
        f"""
        import fcntl, os, sys
        fd = os.open({writes.lock_path!r}, os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("held", flush=True)
        sys.stdin.read()  # holds until the test closes stdin
        """
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", holder, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdout is not None and child.stdin is not None
    assert (await child.stdout.readline()).strip() == b"held"
    waiting = asyncio.create_task(writes.run(_insert(7)))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    assert await _rows(engine) == []
    child.stdin.close()
    await asyncio.wait_for(waiting, 5)
    await child.wait()
    assert await _rows(engine) == [7]


async def test_a_cancelled_caller_leaves_its_transaction_to_end_and_the_turn_free(
    engine: AsyncEngine, writes: SqliteWrites
) -> None:
    fd = os.open(writes.lock_path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another writer's turn: the thread waits for it
    waiting = asyncio.create_task(writes.run(_insert(1)))
    await asyncio.sleep(0.1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    os.close(fd)  # the other writer lets go: the thread takes its turn and commits
    await writes.run(_insert(2))  # queued behind it on the same thread
    assert await _rows(engine) == [1, 2]  # a write cancelled mid-wait may still commit: callers allow for it
    assert _free(writes.lock_path)


def test_a_writer_never_used_closes_without_a_thread(tmp_path: Path) -> None:
    writes = SqliteWrites(create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"), str(tmp_path / "l"))
    writes.close()
    assert not (tmp_path / "l").exists()


_APPENDER = """
import asyncio, sys
from gateway.audit.writer import AuditWriter
from gateway.store import db
from gateway.tenancy.costs import Cost
from tests.unit.audit.conftest import settlement

async def main(url, who):
    engine = db.create_engine(url)
    writer = AuditWriter(db.session_factory(engine))
    for start in range(0, 120, 8):  # batches of 8: each one a transaction under the write lock
        records = [settlement(who * 1000 + n) for n in range(start, start + 8)]
        for record in records:
            writer.observe(record, Cost(0.0, 0.0, 1.0, 0.0))
        assert await writer.flush()
    await writer.stop()
    await engine.dispose()

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


async def test_two_processes_appending_at_once_leave_one_valid_chain(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"
    engine = db.create_engine(url)
    await db.upgrade(engine)
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", _APPENDER, url, str(who), cwd=ROOT, stderr=subprocess.PIPE
        )
        for who in (1, 2)
    ]
    for proc in procs:
        _, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, err.decode()
    report = await verify_chain(db.session_factory(engine))
    await engine.dispose()
    assert report.valid
    assert report.checked == 240
    assert report.head_seq == 240


_MIGRATOR = """
import asyncio, sys
from gateway.store import db

async def main(url):
    engine = db.create_engine(url)
    await db.upgrade(engine)
    await engine.dispose()

asyncio.run(main(sys.argv[1]))
"""


async def test_workers_migrating_one_new_sqlite_file_at_once_all_start(tmp_path: Path) -> None:
    """Every worker of `serve --workers` migrates at start: on a new file they take turns, and the later ones
    find the schema in place (before, one could fail with "table ... already exists")."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    procs = [
        await asyncio.create_subprocess_exec(sys.executable, "-c", _MIGRATOR, url, cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for proc in procs:
        _, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, err.decode()[-2000:]
