"""DSGVO export: JSON Lines and CSV, only the asked-for records in full, and a chain proof that checks offline."""

from __future__ import annotations

from typing import Any

import orjson

from gateway.audit.export import ExportQuery, export_items, items_from_csv, render, verify_export
from tests.unit.audit.conftest import Sessions, append, settlement, sql


async def _export(sessions: Sessions, query: ExportQuery, fmt: str = "jsonl") -> bytes:
    return b"".join([chunk async for chunk in render(export_items(sessions, query), fmt)])  # type: ignore[arg-type]


def _items(body: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in body.splitlines()]


async def _mixed_log(sessions: Sessions) -> None:
    await append(sessions, [settlement(1, "t1", "alice"), settlement(2, "t2", "bob"), settlement(3, "t1", "carol"),
                            settlement(4, "t1", "alice"), settlement(5, "t2")])


async def test_subject_export_holds_only_the_subjects_records_in_full(sessions: Sessions) -> None:
    await _mixed_log(sessions)
    items = _items(await _export(sessions, ExportQuery("t1", "alice")))
    assert [(i["kind"], i.get("seq")) for i in items] == [
        ("range", None), ("record", 1), ("link", 2), ("link", 3), ("record", 4), ("end", None)
    ]


async def test_link_items_carry_no_record_fields(sessions: Sessions) -> None:
    await _mixed_log(sessions)
    links = [i for i in _items(await _export(sessions, ExportQuery("t1", "alice"))) if i["kind"] == "link"]
    assert all(set(link) == {"kind", "seq", "prev_hash", "hash", "digest"} for link in links)


async def test_export_proof_verifies(sessions: Sessions) -> None:
    await _mixed_log(sessions)
    assert verify_export(_items(await _export(sessions, ExportQuery("t1", "alice")))) is None


async def test_export_proof_detects_an_edited_record(sessions: Sessions) -> None:
    await _mixed_log(sessions)
    items = _items(await _export(sessions, ExportQuery("t1", "alice")))
    items[4]["record"]["completion_tokens"] = 5
    broken = verify_export(items)
    assert broken is not None and broken.seq == 4


async def test_export_starts_from_the_predecessor_hash(sessions: Sessions) -> None:
    await _mixed_log(sessions)
    items = _items(await _export(sessions, ExportQuery("t2")))
    assert items[0]["prev_hash"] == items[1]["prev_hash"] and items[1]["seq"] == 2


async def test_tenant_export_in_csv_verifies_after_reading_back(sessions: Sessions) -> None:
    await _mixed_log(sessions)
    text = (await _export(sessions, ExportQuery("t1"), "csv")).decode()
    items = items_from_csv(text)
    assert [i["kind"] for i in items].count("record") == 3 and verify_export(items) is None


async def test_export_of_an_unknown_subject_is_empty(sessions: Sessions) -> None:
    await _mixed_log(sessions)
    items = _items(await _export(sessions, ExportQuery("t1", "nobody")))
    assert [i["kind"] for i in items] == ["range", "end"] and items[-1]["records"] == 0


async def test_retained_content_is_exported_decrypted(sessions: Sessions) -> None:
    await sql(sessions, "INSERT INTO audit_tenant_settings VALUES ('t1', 1, '2026-01-01')")
    await append(sessions, [settlement(1, "t1", "alice", prompt="Vertrag")])
    record = _items(await _export(sessions, ExportQuery("t1", "alice")))[1]
    assert record["content_status"] == "retained" and "Vertrag 1" in record["content"]
