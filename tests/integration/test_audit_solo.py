"""A lone audit record in one statement on PostgreSQL (`gateway/audit/solo.py`): taken only when the writer knows
the head, missed (and nothing written) when another writer moved it, never for a record with retained content;
the chain stays linear and every record is written exactly once, also when a commit's reply is lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.audit.verify import verify_chain
from gateway.audit.writer import AuditWriter, WriterOptions
from gateway.store import db
from gateway.store.repositories import audit as audit_repo
from gateway.tenancy.costs import Cost
from tests.unit.audit.conftest import settlement

Sessions = async_sessionmaker[AsyncSession]
COST = Cost(0.0, 0.0, 1.0, 0.000123)


@pytest.fixture
async def sessions(own_postgres_url: str) -> AsyncIterator[Sessions]:
    engine = db.create_engine(own_postgres_url)
    await db.upgrade(engine)
    async with db.session_factory(engine)() as session, session.begin():
        await session.execute(text("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 'one', now())"))
    yield db.session_factory(engine)
    await engine.dispose()


class _Counted:
    """Counts the one-statement appends of a writer and their outcomes."""

    def __init__(self, writer: AuditWriter) -> None:
        self.outcomes: list[bool] = []
        solo: Any = writer._solo
        original = solo.append

        async def append(*args: Any) -> bool:
            self.outcomes.append(await original(*args))
            return self.outcomes[-1]

        solo.append = append


async def _write(writer: AuditWriter, number: int, **kwargs: Any) -> None:
    record = settlement(number, **kwargs)
    writer.observe(record, COST)
    assert await writer.flush()
    for ack in record.acks:
        await ack


async def _rows(sessions: Sessions) -> list[tuple[int, str]]:
    async with sessions() as session:
        result = await session.execute(text("SELECT seq, request_id FROM audit_records ORDER BY seq"))
        return [(int(row[0]), str(row[1])) for row in result]


async def test_lone_records_after_the_first_take_one_statement_and_the_chain_stays_valid(
    sessions: Sessions,
) -> None:
    writer = AuditWriter(sessions)
    counted = _Counted(writer)
    for number in range(1, 6):
        await _write(writer, number)
    await writer.stop()
    assert counted.outcomes == [True, True, True, True]  # the first batch reads the head under its lock
    assert await _rows(sessions) == [(n, f"req-{n}") for n in range(1, 6)]
    report = await verify_chain(sessions)
    assert report.valid and report.head_seq == 5


async def test_a_head_moved_by_another_writer_is_a_miss_and_the_record_goes_the_locking_way(
    sessions: Sessions,
) -> None:
    first, second = AuditWriter(sessions), AuditWriter(sessions)
    counted = _Counted(first)
    await _write(first, 1)
    await _write(second, 2)  # the first writer's remembered head is stale now
    await _write(first, 3)
    await _write(first, 4)  # right after a miss the writer does not guess again
    await first.stop()
    await second.stop()
    assert counted.outcomes == [False]
    assert await _rows(sessions) == [(1, "req-1"), (2, "req-2"), (3, "req-3"), (4, "req-4")]
    assert (await verify_chain(sessions)).valid


async def test_a_record_with_retained_content_is_never_sent_alone(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        await session.execute(text("INSERT INTO audit_tenant_settings VALUES ('t1', true, now())"))
    writer = AuditWriter(sessions)
    counted = _Counted(writer)
    await _write(writer, 1)
    await _write(writer, 2)
    await _write(writer, 3, tenant_id=None)  # an anonymous refusal keeps no prompt: it may go alone
    await writer.stop()
    assert counted.outcomes == [True]
    async with sessions() as session:
        contents = (await session.execute(text("SELECT seq FROM audit_contents ORDER BY seq"))).scalars().all()
    assert contents == [1, 2]
    assert (await verify_chain(sessions)).valid


async def test_a_connection_lost_mid_append_loses_and_doubles_nothing(sessions: Sessions) -> None:
    writer = AuditWriter(sessions, WriterOptions(durable=False))
    counted = _Counted(writer)
    await _write(writer, 1)
    await _write(writer, 2)
    solo: Any = writer._solo
    settings = await solo._connection.execute(text("SHOW synchronous_commit"))
    assert settings.scalar_one() == "off"  # as the locking path's transactions in this mode
    pid = (await solo._connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with sessions() as session, session.begin():
        await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    record = settlement(3)
    writer.observe(record, COST)
    assert not await writer.flush()  # the record is kept, its request told 503
    assert await writer.flush()  # and written on the next try, the locking way
    await _write(writer, 4)
    await writer.stop()
    assert counted.outcomes == [True, True]  # records 2 and 4; record 3's try raised
    assert await _rows(sessions) == [(n, f"req-{n}") for n in range(1, 5)]
    assert (await verify_chain(sessions)).valid


async def test_a_lone_record_committed_before_its_reply_was_lost_is_not_written_twice(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = audit_repo.append_alone

    async def append_then_lose_the_reply(*args: Any) -> bool:
        monkeypatch.setattr(audit_repo, "append_alone", original)
        await original(*args)
        raise ConnectionResetError("connection lost before the statement's reply")

    writer = AuditWriter(sessions)
    await _write(writer, 1)
    monkeypatch.setattr(audit_repo, "append_alone", append_then_lose_the_reply)
    writer.observe(settlement(2), COST)
    assert not await writer.flush()  # record 2 is in the log, but the writer cannot know
    writer.observe(settlement(3), COST)
    assert await writer.flush()  # the retry, the locking way, finds record 2 and writes record 3 only
    await writer.stop()
    assert await _rows(sessions) == [(1, "req-1"), (2, "req-2"), (3, "req-3")]
    assert (await verify_chain(sessions)).valid
