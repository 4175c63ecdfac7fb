"""A write that fails after its commit (the reply lost) must not write its records twice when it is retried, and
a write that failed before its commit must write them all on the retry."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from gateway.audit.verify import verify_chain
from gateway.audit.writer import AuditWriter
from gateway.errors import ServiceUnavailableError
from gateway.settle import Settlement
from gateway.store.repositories import audit as audit_repo
from gateway.tenancy.costs import Cost
from tests.unit.audit.conftest import Sessions, settlement

COST = Cost(0.0, 0.0, 1.0, 0.000123)


def _observe(writer: AuditWriter, numbers: range) -> list[Settlement]:
    records = [settlement(n) for n in numbers]
    for record in records:
        writer.observe(record, COST)
    return records


async def _request_ids(sessions: Sessions) -> list[str]:
    async with sessions() as session:
        result = await session.execute(text("SELECT request_id FROM audit_records ORDER BY seq"))
        return [str(row[0]) for row in result]


def _fail_once_after_commit(writer: AuditWriter) -> None:
    """The commit goes through, then the writer sees an error, as when the connection breaks before the reply."""
    solo: Any = writer._solo
    original = solo.remember

    def remember(*args: Any) -> None:
        solo.remember = original
        raise ConnectionResetError("connection lost before the commit's reply")

    solo.remember = remember


async def test_records_committed_by_a_write_that_failed_are_not_written_again(sessions: Sessions) -> None:
    writer = AuditWriter(sessions)
    _fail_once_after_commit(writer)
    lost = _observe(writer, range(1, 4))
    assert not await writer.flush()  # the writer cannot know the commit went through
    for record in lost:
        with pytest.raises(ServiceUnavailableError):
            await record.acks[0]
    later = _observe(writer, range(4, 6))  # new records join the retried ones in one batch
    assert await writer.flush()
    for record in later:
        await record.acks[0]
    await writer.stop()
    assert await _request_ids(sessions) == [f"req-{n}" for n in range(1, 6)]
    report = await verify_chain(sessions)
    assert report.valid and report.head_seq == 5


async def test_records_of_a_write_that_failed_before_its_commit_are_written_on_the_retry(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = audit_repo.insert_records
    calls = 0

    async def insert_records(session: Any, rows: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionResetError("connection lost mid-transaction")
        await original(session, rows)

    monkeypatch.setattr(audit_repo, "insert_records", insert_records)
    writer = AuditWriter(sessions)
    _observe(writer, range(1, 4))
    assert not await writer.flush()
    assert await writer.flush()
    await writer.stop()
    assert await _request_ids(sessions) == ["req-1", "req-2", "req-3"]
    assert (await verify_chain(sessions)).valid


async def test_a_request_id_used_again_later_is_still_written(sessions: Sessions) -> None:
    """Only the same request at the same moment counts as written: a client may reuse its X-Request-Id."""
    writer = AuditWriter(sessions)
    _observe(writer, range(1, 2))
    assert await writer.flush()
    _fail_once_after_commit(writer)
    _observe(writer, range(2, 3))
    assert not await writer.flush()
    _observe(writer, range(1, 2))  # req-1 again, a new request with the same id
    assert await writer.flush()
    await writer.stop()
    assert await _request_ids(sessions) == ["req-1", "req-2", "req-1"]
    assert (await verify_chain(sessions)).valid
