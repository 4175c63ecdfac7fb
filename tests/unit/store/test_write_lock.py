"""The SQLite write lock: writers exclude each other within and across processes, a waiter wakes when the holder
releases, and a waiter cancelled mid-wait leaves nothing held."""

from __future__ import annotations

import asyncio
import fcntl
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.audit.verify import verify_chain
from gateway.store import db
from gateway.store.write_lock import WriteLock, write_lock_for

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


def test_only_a_sqlite_file_gets_a_lock(tmp_path: Path) -> None:
    on_file = write_lock_for(create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"))
    assert on_file.path == str(tmp_path / "g.db") + ".writelock"
    assert write_lock_for(create_async_engine("sqlite+aiosqlite:///:memory:")).path is None
    assert write_lock_for(create_async_engine("sqlite+aiosqlite://")).path is None
    assert write_lock_for(create_async_engine("postgresql+asyncpg://u@127.0.0.1/x")).path is None


async def test_a_writer_waits_for_the_holder_and_wakes_on_release(tmp_path: Path) -> None:
    path = str(tmp_path / "g.db.writelock")
    first, second = WriteLock(path), WriteLock(path)  # two writers: the audit and the ledger writer, say
    order: list[str] = []
    async with first:
        assert not _free(path)

        async def enter_second() -> None:
            async with second:
                order.append("second in")

        waiting = asyncio.create_task(enter_second())
        await asyncio.sleep(0.1)
        assert not waiting.done()
        order.append("first out")
    await asyncio.wait_for(waiting, 5)
    assert order == ["first out", "second in"]
    assert _free(path)
    first.close()
    second.close()


async def test_one_lock_used_by_two_tasks_lets_one_in_at_a_time(tmp_path: Path) -> None:
    lock = WriteLock(str(tmp_path / "g.db.writelock"))
    inside = 0
    most = 0

    async def write() -> None:
        nonlocal inside, most
        async with lock:
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(write() for _ in range(5)))
    assert most == 1
    lock.close()


async def test_another_process_holding_the_lock_is_waited_for(tmp_path: Path) -> None:
    path = str(tmp_path / "g.db.writelock")
    holder = textwrap.dedent(
        f"""
        import fcntl, os, sys
        fd = os.open({path!r}, os.O_RDWR | os.O_CREAT)
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
    lock = WriteLock(path)
    let_go = False

    async def enter() -> None:
        async with lock:
            assert let_go  # in only after the other process could let go

    waiting = asyncio.create_task(enter())
    await asyncio.sleep(0.2)
    assert not waiting.done()
    let_go = True
    child.stdin.close()
    await asyncio.wait_for(waiting, 5)
    await child.wait()
    lock.close()


async def test_a_waiter_cancelled_mid_wait_leaves_the_lock_free(tmp_path: Path) -> None:
    path = str(tmp_path / "g.db.writelock")
    holder, waiter = WriteLock(path), WriteLock(path)
    async with holder:

        async def enter() -> None:
            async with waiter:
                pytest.fail("a cancelled waiter must not get in")

        waiting = asyncio.create_task(enter())
        await asyncio.sleep(0.1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    # The waiter's thread gets the lock once the holder lets go, and gives it back at once.
    for _ in range(100):
        if _free(path):
            break
        await asyncio.sleep(0.02)
    assert _free(path)
    async with asyncio.timeout(5), waiter:  # the cancelled lock is usable again
        assert not _free(path)
    assert _free(path)
    holder.close()
    waiter.close()


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
