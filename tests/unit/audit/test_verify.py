"""Verification of the stored chain: every single-row tampering is detected and located."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.audit.verify import verify_chain
from tests.unit.audit.conftest import Sessions, append, settlement, sql

ROWS = 6


@pytest.fixture
async def log(sessions: Sessions) -> Sessions:
    await append(sessions, [settlement(n) for n in range(1, 4)])
    await append(sessions, [settlement(n, tenant_id=None) for n in range(4, ROWS + 1)])  # refused: no tenant
    return sessions


async def test_untouched_log_verifies(log: Sessions) -> None:
    report = await verify_chain(log)
    assert (report.valid, report.checked, report.last_seq, report.head_seq) == (True, ROWS, ROWS, ROWS)


async def test_refused_requests_are_recorded_as_anonymous(log: Sessions) -> None:
    async with log() as session:
        from sqlalchemy import text

        keys = (await session.execute(text("SELECT key_id, status FROM audit_records WHERE seq = 4"))).one()
    assert tuple(keys) == ("anonymous", 401)


@pytest.mark.parametrize("seq", range(1, ROWS + 1))
async def test_altered_row_is_located(log: Sessions, seq: int) -> None:
    await sql(log, "UPDATE audit_records SET status = 299 WHERE seq = :seq", seq=seq)
    broken = (await verify_chain(log)).broken
    assert broken is not None and (broken.seq, broken.reason) == (seq, "altered")


@pytest.mark.parametrize("seq", range(1, ROWS))
async def test_deleted_row_is_located(log: Sessions, seq: int) -> None:
    await sql(log, "DELETE FROM audit_records WHERE seq = :seq", seq=seq)
    broken = (await verify_chain(log)).broken
    assert broken is not None and (broken.seq, broken.reason) == (seq, "missing")


async def test_deleted_last_row_is_reported_as_truncated(log: Sessions) -> None:
    await sql(log, "DELETE FROM audit_records WHERE seq = :seq", seq=ROWS)
    broken = (await verify_chain(log)).broken
    assert broken is not None and (broken.seq, broken.reason) == (ROWS, "truncated")


@pytest.mark.parametrize("seq", range(1, ROWS))
async def test_reordered_row_is_located(log: Sessions, seq: int) -> None:
    await sql(log, "UPDATE audit_records SET seq = -1 WHERE seq = :seq", seq=seq)
    await sql(log, "UPDATE audit_records SET seq = :seq WHERE seq = :next", seq=seq, next=seq + 1)
    await sql(log, "UPDATE audit_records SET seq = :next WHERE seq = -1", next=seq + 1)
    broken = (await verify_chain(log)).broken
    assert broken is not None and (broken.seq, broken.reason) == (seq, "reordered")


async def test_deleted_and_renumbered_row_is_located_as_missing(log: Sessions) -> None:
    await sql(log, "DELETE FROM audit_records WHERE seq = 3")
    for seq in range(4, ROWS + 1):
        await sql(log, "UPDATE audit_records SET seq = :new WHERE seq = :old", new=seq - 1, old=seq)
    broken = (await verify_chain(log)).broken
    assert broken is not None and (broken.seq, broken.reason) == (3, "missing")


async def test_range_verification_checks_only_the_range(log: Sessions) -> None:
    await sql(log, "UPDATE audit_records SET status = 299 WHERE seq = 6")
    report = await verify_chain(log, from_seq=2, to_seq=4)
    assert (report.valid, report.checked, report.first_seq, report.last_seq) == (True, 3, 2, 4)


async def test_range_verification_checks_the_link_into_the_range(log: Sessions) -> None:
    await sql(log, "UPDATE audit_records SET hash = :h WHERE seq = 1", h="ab" * 32)
    broken = (await verify_chain(log, from_seq=2, to_seq=4)).broken
    assert broken is not None and (broken.seq, broken.reason) == (2, "missing")


async def test_small_chunks_verify_the_same(log: Sessions) -> None:
    report = await verify_chain(log, chunk=2)
    assert (report.valid, report.checked) == (True, ROWS)


async def test_log_continued_after_the_usage_fields_verifies_and_locates_an_edited_detail(log: Sessions) -> None:
    newer = settlement(ROWS + 1)
    newer.ledger_row = {"usage_id": "u" * 32, "created_at": datetime.now(UTC), "cached_tokens": 1, "reasoning_tokens": 0,
                        "saved_tokens": 0, "price_input_usd_per_1m": 0.15, "price_output_usd_per_1m": 0.6,
                        "eur_per_usd": 0.92, "cost_eur": 1.23e-05, "latency_ms": 12.345}
    await append(log, [newer])
    valid = await verify_chain(log)
    await sql(log, "UPDATE audit_records SET usage_detail = '{\"cost_eur\": 0}' WHERE seq = :seq", seq=ROWS + 1)
    broken = await verify_chain(log)
    assert (valid.valid, valid.checked) == (True, ROWS + 1)
    assert broken.broken is not None and (broken.broken.seq, broken.broken.reason) == (ROWS + 1, "altered")
