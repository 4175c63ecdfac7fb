"""DSGVO Art. 15 export: every record of a tenant (optionally one data subject) in a time range, streamed as
JSON Lines or CSV, with the chain proof for the exported range.

The export walks the whole sequence range from the first to the last matching record. Matching records are
written in full (`kind: record`); every other record in between only as its sequence number, digest and hash
(`kind: link`: nothing about other tenants or subjects beyond that a record existed). With the predecessor
hash in the first line, anyone can recompute every link of the range (`verify_export`), without the database.
Retained prompt content is decrypted with the subject's key, or marked `erased` when that key was destroyed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.audit.chain import FIELDS, GENESIS, OPTIONAL_FIELDS, Break, canonical, digest, link, timestamp
from gateway.audit.erasure import decrypt, subject_hash
from gateway.store.repositories import audit as audit_repo

Format = Literal["jsonl", "csv"]
CSV_COLUMNS = [
    "kind", "seq", "prev_hash", "hash", "digest", "canonical", *FIELDS, *OPTIONAL_FIELDS, "content", "content_status"
]
CHUNK = 2000


@dataclass(frozen=True)
class ExportQuery:
    tenant_id: str
    subject: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    @property
    def subject_hash(self) -> str | None:
        return subject_hash(self.tenant_id, self.subject) if self.subject is not None else None

    def matches(self, row: Mapping[str, Any]) -> bool:
        if row["tenant_id"] != self.tenant_id:
            return False
        if self.subject is not None and row["subject_hash"] != self.subject_hash:
            return False
        moment = timestamp(row["created_at"])
        return (self.start is None or moment >= timestamp(self.start)) and (
            self.end is None or moment < timestamp(self.end)
        )


async def export_items(sessions: async_sessionmaker[AsyncSession], query: ExportQuery) -> AsyncIterator[dict[str, Any]]:
    """The export as items: one `range` header, `record` / `link` items in sequence order, one `end`."""
    async with sessions() as session:
        low, high = await audit_repo.seq_bounds(session, query.start, query.end, query.tenant_id, query.subject_hash)
        predecessor = await _predecessor(session, low)
        yield {
            "kind": "range",
            "tenant_id": query.tenant_id,
            "subject_hash": query.subject_hash,
            "from": timestamp(query.start) if query.start else None,
            "to": timestamp(query.end) if query.end else None,
            "first_seq": low,
            "last_seq": high,
            "prev_hash": predecessor,
        }
        count, last_hash = 0, predecessor
        next_seq = low if low is not None else 1
        while high is not None and next_seq <= high:
            rows = await audit_repo.records_from(session, next_seq, high, CHUNK)
            if not rows:
                break
            contents = await _contents(session, [r["seq"] for r in rows if r["retained"] and query.matches(r)])
            for row in rows:
                matched = query.matches(row)
                count += matched
                last_hash = row["hash"]
                yield _record_item(row, contents.get(row["seq"])) if matched else _link_item(row)
            next_seq = int(rows[-1]["seq"]) + 1
        head_seq, head_hash = await audit_repo.head(session)
        yield {"kind": "end", "records": count, "last_hash": last_hash, "head_seq": head_seq, "head_hash": head_hash}


async def _predecessor(session: AsyncSession, first_seq: int | None) -> str | None:
    if first_seq is None:
        return None
    if first_seq == 1:
        return GENESIS
    found = await audit_repo.hash_at(session, first_seq - 1)
    if found is not None:
        return found
    checkpoint = await audit_repo.latest_checkpoint(session)
    return checkpoint.hash if checkpoint is not None and checkpoint.seq == first_seq - 1 else None


async def _contents(session: AsyncSession, seqs: list[int]) -> dict[int, tuple[str | None, str]]:
    """seq -> (content, status): decrypted, or erased when the subject's key is gone."""
    found: dict[int, tuple[str | None, str]] = {}
    for seq, (nonce, ciphertext, key) in (await audit_repo.contents_with_keys(session, seqs)).items():
        plain = decrypt(key, seq, nonce, ciphertext) if key is not None else None
        found[seq] = (plain.decode(), "retained") if plain is not None else (None, "erased")
    return found


def _record_item(row: Mapping[str, Any], content: tuple[str | None, str] | None) -> dict[str, Any]:
    fields = orjson.loads(canonical(row))
    text, status = content if content is not None else (None, "erased" if row["retained"] else "not_retained")
    return {
        "kind": "record",
        "seq": row["seq"],
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
        "record": fields,
        "content": text,
        "content_status": status,
    }


def _link_item(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": "link", "seq": row["seq"], "prev_hash": row["prev_hash"], "hash": row["hash"], "digest": digest(row)}


async def render(items: AsyncIterator[dict[str, Any]], fmt: Format) -> AsyncIterator[bytes]:
    if fmt == "csv":
        yield _csv_line({column: column for column in CSV_COLUMNS})
    async for item in items:
        yield orjson.dumps(item) + b"\n" if fmt == "jsonl" else _csv_line(_csv_row(item))


def _csv_row(item: Mapping[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {k: v for k, v in item.items() if k in CSV_COLUMNS}
    if item["kind"] == "record":
        row.update({k: orjson.dumps(v).decode() if isinstance(v, dict) else v for k, v in item["record"].items()})
        row["canonical"] = canonical(item["record"]).decode()
    elif item["kind"] in ("range", "end"):
        row["prev_hash"] = item.get("prev_hash") or ""
        row["hash"] = item.get("last_hash") or ""
        row["seq"] = item.get("first_seq") if item["kind"] == "range" else item.get("head_seq")
    return row


def _csv_line(row: Mapping[str, Any]) -> bytes:
    buffer = io.StringIO()
    csv.DictWriter(buffer, CSV_COLUMNS, extrasaction="ignore").writerow(row)
    return buffer.getvalue().encode()


def items_from_csv(text: str) -> list[dict[str, Any]]:
    """Read a CSV export back into items `verify_export` understands."""
    items: list[dict[str, Any]] = []
    for row in csv.DictReader(io.StringIO(text)):
        item: dict[str, Any] = {"kind": row["kind"], "prev_hash": row["prev_hash"] or None, "hash": row["hash"]}
        if row["kind"] in ("record", "link"):
            item["seq"] = int(row["seq"])
        if row["kind"] == "record":
            item["record"] = orjson.loads(row["canonical"])
        elif row["kind"] == "link":
            item["digest"] = row["digest"]
        items.append(item)
    return items


def verify_export(items: Iterable[Mapping[str, Any]]) -> Break | None:
    """Recompute every link of an export from its predecessor hash: None when the proof holds."""
    prev: str | None = None
    expected: int | None = None
    for item in items:
        kind = item["kind"]
        if kind == "range":
            prev = item["prev_hash"]
            continue
        if kind not in ("record", "link"):
            continue
        seq = int(item["seq"])
        if expected is not None and seq != expected:
            return Break(expected, "missing", f"the export skips from {expected - 1} to {seq}")
        record_digest = digest(item["record"]) if kind == "record" else item["digest"]
        prev = item["prev_hash"] if prev is None else prev  # predecessor pruned: the first link is taken as given
        if item["prev_hash"] != prev or link(prev, record_digest) != item["hash"]:
            return Break(seq, "altered", "the record does not link to its predecessor in this export")
        prev, expected = item["hash"], seq + 1
    return None
