"""Anchors catch a cut-off tail; pruning keeps what is left verifiable from its checkpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.audit import anchors
from gateway.audit.retention import prune
from gateway.audit.verify import verify_chain
from tests.unit.audit.conftest import Sessions, append, settlement, sql

SECRET = "anchor-secret"


async def _anchor(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        await anchors.anchor_head(session, "manual", SECRET)


async def test_tail_cut_with_rewound_head_is_caught_by_an_anchor(sessions: Sessions) -> None:
    await append(sessions, [settlement(n) for n in range(1, 6)])
    await _anchor(sessions)
    await sql(sessions, "DELETE FROM audit_records WHERE seq >= 4")
    await sql(sessions, "UPDATE audit_chain_head SET seq = 3, hash = (SELECT hash FROM audit_records WHERE seq = 3)")
    broken = (await verify_chain(sessions, secret=SECRET)).broken
    assert broken is not None and (broken.seq, broken.reason) == (4, "truncated")


async def test_forged_anchor_signature_is_reported(sessions: Sessions) -> None:
    await append(sessions, [settlement(n) for n in range(1, 3)])
    await _anchor(sessions)
    await sql(sessions, "UPDATE audit_anchors SET signature = :s", s="00" * 32)
    broken = (await verify_chain(sessions, secret=SECRET)).broken
    assert broken is not None and broken.reason == "anchor_mismatch"


async def test_valid_anchor_is_counted(sessions: Sessions) -> None:
    await append(sessions, [settlement(n) for n in range(1, 3)])
    await _anchor(sessions)
    report = await verify_chain(sessions, secret=SECRET)
    assert (report.valid, report.anchors_checked) == (True, 1)


async def _old_and_new(sessions: Sessions) -> None:
    await append(sessions, [settlement(n) for n in range(1, 5)])
    await sql(sessions, "UPDATE audit_records SET created_at = '2020-01-01 00:00:00.000000' WHERE seq <= 2")
    # The dates are hashed: re-hash the rewritten rows so the log is what an old log would look like.
    from gateway.audit.chain import GENESIS, chain_hash
    from gateway.store.repositories import audit as audit_repo

    async with sessions() as session, session.begin():
        prev = GENESIS
        for row in await audit_repo.records_from(session, 1, None, 100):
            new_hash = chain_hash(prev, row)
            await session.execute(
                audit_repo.AuditRecord.__table__.update().where(audit_repo.AuditRecord.seq == row["seq"])
                .values(prev_hash=prev, hash=new_hash)
            )
            prev = new_hash
        await audit_repo.set_head_hash(session, prev)


async def test_prune_deletes_old_records_and_the_rest_verifies(sessions: Sessions) -> None:
    await _old_and_new(sessions)
    async with sessions() as session, session.begin():
        result = await prune(session, datetime.now(UTC) - timedelta(days=30), SECRET)
    report = await verify_chain(sessions, secret=SECRET)
    assert (result["pruned_through"], result["deleted"]) == (2, 2)
    assert (report.valid, report.first_seq, report.checked) == (True, 3, 2)


async def test_after_prune_a_deleted_first_record_is_still_detected(sessions: Sessions) -> None:
    await _old_and_new(sessions)
    async with sessions() as session, session.begin():
        await prune(session, datetime.now(UTC) - timedelta(days=30), SECRET)
    await sql(sessions, "DELETE FROM audit_records WHERE seq = 3")
    broken = (await verify_chain(sessions)).broken
    assert broken is not None and (broken.seq, broken.reason) == (3, "missing")
