"""`gateway` command line: serve, keys, tenants, costs, usage, db."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.cli import admin_commands, audit_commands
from gateway.errors import GatewayError
from gateway.settings import Settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.observability.multiprocess import ENV, prepare_multiprocess_dir, remove_multiprocess_dir

    if args.demo:
        os.environ["DEMO"] = "true"  # workers are separate processes: they read settings from the environment
    created = args.workers > 1 and not os.environ.get(ENV)
    metrics_dir = prepare_multiprocess_dir(args.workers, os.environ)  # /metrics sums every worker's files
    try:
        _run_uvicorn(uvicorn, args)
    finally:
        remove_multiprocess_dir(metrics_dir, created)
    return 0


def _run_uvicorn(uvicorn: Any, args: argparse.Namespace) -> None:
    options: dict[str, Any] = {
        "factory": True,
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        "loop": "auto",
        "http": "gateway.api.http_protocol:BoundedHttpToolsProtocol",  # header deadline and size limit
        "access_log": False,
        "log_level": "warning",
        "timeout_graceful_shutdown": 10,
    }
    if args.workers > 1:  # a listening socket per worker, so that connections spread over them (ADR 0023)
        from gateway.cli.workers import run_workers

        run_workers(uvicorn.Config("gateway.app:app_from_env", **options))
    else:
        uvicorn.run("gateway.app:app_from_env", **options)


async def _create_key(tenant: str, expires_days: int | None, role: str) -> None:
    from gateway.store import db
    from gateway.tenancy.keys import create_key

    settings = Settings()
    engine = db.create_engine(settings.database_url)
    try:
        await db.upgrade(engine)
        expires = datetime.now(UTC) + timedelta(days=expires_days) if expires_days else None
        async with db.session_factory(engine)() as session, session.begin():
            created = await create_key(session, tenant, expires, role)
    finally:
        await engine.dispose()
    print(f"tenant: {tenant} ({created.tenant_id})", file=sys.stderr)
    print(f"key id: {created.key_id}  prefix: {created.prefix}  role: {role}", file=sys.stderr)
    print("This key is shown once; store it now:", file=sys.stderr)
    print(created.key)


async def _db_upgrade() -> None:
    from gateway.store import db

    engine = db.create_engine(Settings().database_url)
    try:
        await db.upgrade(engine)
    finally:
        await engine.dispose()


async def _ledger_reconcile(grace_seconds: float) -> dict[str, int]:
    from gateway.store import db
    from gateway.tenancy.reconcile import reconcile_ledger

    engine = db.create_engine(Settings().database_url)
    try:
        await db.upgrade(engine)
        return (await reconcile_ledger(db.session_factory(engine), grace_seconds)).as_json()
    finally:
        await engine.dispose()


def _pii_detect() -> int:
    import json

    from gateway.api.pii import detect_json
    from gateway.privacy.analyzer import Analyzer

    analyzer = Analyzer()
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            text = json.loads(line)["text"]
        except (ValueError, KeyError, TypeError):
            print(f"error: line {number} is not a JSON object with a 'text' field", file=sys.stderr)
            return 2
        print(json.dumps(detect_json(analyzer, text), ensure_ascii=False))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description="Enterprise AI Gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="answer from built-in MOCK providers (no API keys needed)")
    keys = sub.add_parser("keys", help="manage tenant API keys").add_subparsers(dest="keys_command", required=True)
    create = keys.add_parser("create", help="create a key (and the tenant if new); prints the key once")
    create.add_argument("--tenant", required=True)
    create.add_argument("--expires-days", type=int, default=None)
    create.add_argument("--role", choices=["tenant", "admin"], default="tenant", help="admin keys may use /admin")
    for action in ("list", "revoke", "rotate"):
        sub_action = keys.add_parser(action, help=f"{action} keys")
        if action == "list":
            sub_action.add_argument("--tenant-id", default=None)
        else:
            sub_action.add_argument("key_id")
    tenants = sub.add_parser("tenants", help="manage tenants").add_subparsers(dest="action", required=True)
    tenant_create = tenants.add_parser("create")
    tenant_create.add_argument("name")
    admin_commands.add_setting_flags(tenant_create)
    tenant_update = tenants.add_parser("update")
    tenant_update.add_argument("tenant_id")
    admin_commands.add_setting_flags(tenant_update)
    tenants.add_parser("list")
    costs = sub.add_parser("costs", help="cost reports").add_subparsers(dest="action", required=True)
    summary = costs.add_parser("summary", help="per tenant: tokens, budget used, EUR by model and provider")
    summary.add_argument("--month", default=None, help="YYYY-MM, default the current month")
    summary.add_argument("--tenant-id", default=None)
    usage = sub.add_parser("usage", help="per-day usage series")
    usage.add_argument("--tenant-id", default=None)
    usage.add_argument("--from", dest="start", default=None)
    usage.add_argument("--to", dest="end", default=None)
    pii = sub.add_parser("pii", help="German PII detection").add_subparsers(dest="action", required=True)
    pii.add_parser("detect", help='read JSON Lines {"text": ...} on stdin, write entities and redacted text')
    ledger = sub.add_parser("ledger", help="usage ledger").add_subparsers(dest="action", required=True)
    reconcile = ledger.add_parser("reconcile", help="rebuild ledger rows lost by killed instances from the audit log")
    reconcile.add_argument("--grace-seconds", type=float, default=0.0, help="leave records younger than this")
    dbp = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    dbp.add_parser("upgrade", help="apply migrations up to the newest")
    audit_commands.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except GatewayError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    if args.command == "keys" and args.keys_command == "create":
        asyncio.run(_create_key(args.tenant, args.expires_days, args.role))
        return 0
    if args.command == "audit":
        return audit_commands.run(args)
    if args.command == "pii":
        return _pii_detect()
    if args.command == "ledger":
        admin_commands.print_json(asyncio.run(_ledger_reconcile(args.grace_seconds)))
        return 0
    if args.command == "db":
        asyncio.run(_db_upgrade())
        return 0
    if args.command == "keys":
        args.action = args.keys_command
    admin_commands.print_json(asyncio.run(admin_commands.run(args)))
    return 0

