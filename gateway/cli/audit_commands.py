"""`gateway audit ...`: verify the chain, export and verify exports, erase a subject, anchors, prune, and the
per-tenant prompt-retention setting, on the database the settings name (same services as /admin/audit)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.api.audit_admin import parse_time
from gateway.audit import anchors, retention
from gateway.audit.erasure import erase_subject
from gateway.audit.export import ExportQuery, export_items, items_from_csv, render, verify_export
from gateway.audit.verify import seq_range_of_times, verify_chain
from gateway.settings import Settings
from gateway.store import db
from gateway.store.repositories import audit as audit_repo


def add_parser(sub: Any) -> None:
    """Register `gateway audit` and its actions on the top-level subparsers."""
    audit = sub.add_parser("audit", help="tamper-evident audit log").add_subparsers(dest="action", required=True)
    verify = audit.add_parser("verify", help="verify the hash chain (exit 1 at a broken link)")
    verify.add_argument("--from", dest="start", default=None, help="ISO date/time: records from then")
    verify.add_argument("--to", dest="end", default=None, help="ISO date/time: records before then")
    verify.add_argument("--from-seq", type=int, default=None)
    verify.add_argument("--to-seq", type=int, default=None)
    export = audit.add_parser("export", help="DSGVO export of a tenant or subject, with the chain proof")
    export.add_argument("--tenant-id", required=True)
    export.add_argument("--subject", default=None, help="the request's `user` value, or a key id")
    export.add_argument("--from", dest="start", default=None)
    export.add_argument("--to", dest="end", default=None)
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    export.add_argument("--output", type=Path, default=None, help="file to write (default stdout)")
    check = audit.add_parser("verify-export", help="check the chain proof of an export file (offline)")
    check.add_argument("file", type=Path)
    erase = audit.add_parser("erase", help="crypto-shred a subject's retained content (DSGVO Art. 17)")
    erase.add_argument("subject")
    erase.add_argument("--tenant-id", required=True)
    audit.add_parser("anchor", help="store and print an anchor of the current chain head")
    audit.add_parser("anchors", help="list stored anchors")
    prune = audit.add_parser("prune", help="delete old records, checkpointing the chain first")
    prune.add_argument("--days", type=int, default=None, help="default AUDIT_RETENTION_DAYS")
    retain = audit.add_parser("retention", help="show or set a tenant's prompt retention (encrypted)")
    retain.add_argument("tenant_id")
    retain.add_argument("--on", dest="retain", action="store_true", default=None)
    retain.add_argument("--off", dest="retain", action="store_false")


def run(args: argparse.Namespace) -> int:
    if args.action == "verify-export":
        return _verify_export(args.file)
    if args.action == "export":
        asyncio.run(_with_sessions(lambda sessions: _export(sessions, args)))
        return 0
    result = asyncio.run(_with_sessions(lambda sessions: _dispatch(sessions, args)))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 1 if isinstance(result, dict) and result.get("valid") is False else 0


async def _with_sessions(work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[Any]]) -> Any:
    engine = db.create_engine(Settings().database_url)
    try:
        await db.upgrade(engine)
        return await work(db.session_factory(engine))
    finally:
        await engine.dispose()


def _secret() -> str | None:
    secret = Settings().audit_anchor_secret
    return secret.get_secret_value() if secret else None


async def _dispatch(sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace) -> Any:
    async with sessions() as session, session.begin():
        match args.action:
            case "verify":
                return await _verify(sessions, args)
            case "erase":
                return await erase_subject(session, args.tenant_id, args.subject)
            case "anchor":
                anchor = await anchors.anchor_head(session, "manual", _secret())
                return anchors.anchor_json(anchor) if anchor else {"error": "the audit log is empty"}
            case "anchors":
                return [anchors.anchor_json(a) for a in await audit_repo.anchors(session)]
            case "prune":
                days = args.days or Settings().audit_retention_days
                if days is None:
                    return {"error": "no retention period: pass --days or set AUDIT_RETENTION_DAYS"}
                return await retention.prune(session, retention.cutoff(days), _secret())
            case "retention":
                if args.retain is None:
                    return await retention.prompt_retention(session, args.tenant_id)
                return await retention.set_prompt_retention(session, args.tenant_id, args.retain)
    raise AssertionError(args.action)


async def _verify(sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace) -> dict[str, Any]:
    from_seq, to_seq = args.from_seq, args.to_seq
    start, end = parse_time(args.start, "from"), parse_time(args.end, "to")
    if start or end:
        from_seq, to_seq = await seq_range_of_times(sessions, start, end)
        if from_seq is None:
            return {"valid": True, "checked": 0, "broken": None, "notes": ["no records in the range"]}
    return (await verify_chain(sessions, from_seq, to_seq, secret=_secret())).as_json()


async def _export(sessions: async_sessionmaker[AsyncSession], args: argparse.Namespace) -> None:
    query = ExportQuery(args.tenant_id, args.subject, parse_time(args.start, "from"), parse_time(args.end, "to"))
    out = args.output.open("wb") if args.output else sys.stdout.buffer
    try:
        async for chunk in render(export_items(sessions, query), args.format):
            out.write(chunk)
    finally:
        if args.output:
            out.close()


def _verify_export(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    if text.startswith("kind,"):
        items = items_from_csv(text)
    else:
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
    broken = verify_export(items)
    records = sum(1 for item in items if item["kind"] == "record")
    print(json.dumps({"valid": broken is None, "records": records, "broken": broken.as_json() if broken else None}))
    return 0 if broken is None else 1
