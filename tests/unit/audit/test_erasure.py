"""Crypto-shredding: content is encrypted per subject; destroying the key erases it and the chain still verifies."""

from __future__ import annotations

import orjson
from sqlalchemy import text

from gateway.audit.erasure import decrypt, encrypt, erase_subject, new_key
from gateway.audit.export import ExportQuery, export_items
from gateway.audit.verify import verify_chain
from tests.unit.audit.conftest import Sessions, append, settlement, sql


async def _retaining_log(sessions: Sessions) -> None:
    await sql(sessions, "INSERT INTO audit_tenant_settings VALUES ('t1', 1, '2026-01-01')")
    await append(sessions, [settlement(1, "t1", "alice", "Kündigung"), settlement(2, "t1", "bob", "Rechnung"),
                            settlement(3, "t2", "alice", "geheim")])


async def _statuses(sessions: Sessions, tenant: str) -> dict[int, str]:
    items = [i async for i in export_items(sessions, ExportQuery(tenant))]
    return {i["seq"]: i["content_status"] for i in items if i["kind"] == "record"}


def test_ciphertext_decrypts_only_for_its_own_record() -> None:
    key = new_key()
    nonce, ciphertext = encrypt(key, 7, b"prompt")
    assert (decrypt(key, 7, nonce, ciphertext), decrypt(key, 8, nonce, ciphertext)) == (b"prompt", None)


async def test_only_retaining_tenants_store_content(sessions: Sessions) -> None:
    await _retaining_log(sessions)
    async with sessions() as session:
        stored = (await session.execute(text("SELECT seq FROM audit_contents ORDER BY seq"))).scalars().all()
    assert stored == [1, 2]


async def test_stored_content_is_not_plain_text(sessions: Sessions) -> None:
    await _retaining_log(sessions)
    async with sessions() as session:
        blobs = (await session.execute(text("SELECT ciphertext FROM audit_contents"))).scalars().all()
    assert not any(b"K\xc3\xbcndigung" in blob or b"Rechnung" in blob for blob in blobs)


async def test_erasure_makes_only_the_subjects_content_unreadable(sessions: Sessions) -> None:
    await _retaining_log(sessions)
    async with sessions() as session, session.begin():
        result = await erase_subject(session, "t1", "alice")
    assert (result["keys_destroyed"], result["contents_unreadable"]) == (1, 1)
    assert await _statuses(sessions, "t1") == {1: "erased", 2: "retained"}


async def test_chain_verifies_after_erasure(sessions: Sessions) -> None:
    await _retaining_log(sessions)
    async with sessions() as session, session.begin():
        await erase_subject(session, "t1", "alice")
    assert (await verify_chain(sessions)).valid


async def test_records_never_hold_the_subject_or_prompt_in_clear(sessions: Sessions) -> None:
    await _retaining_log(sessions)
    async with sessions() as session:
        rows = (await session.execute(text("SELECT * FROM audit_records"))).mappings().all()
    dumped = orjson.dumps([dict(r) for r in rows], default=str)
    assert b"alice" not in dumped and b"Rechnung" not in dumped
