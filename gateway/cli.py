"""`gateway` command line: serve, keys, db."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta

from gateway.settings import Settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.demo:
        os.environ["DEMO"] = "true"  # workers are separate processes: they read settings from the environment
    uvicorn.run(
        "gateway.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="auto",
        http="auto",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
    return 0


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
    dbp = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    dbp.add_parser("upgrade", help="apply migrations up to the newest")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "keys":
        asyncio.run(_create_key(args.tenant, args.expires_days, args.role))
        return 0
    asyncio.run(_db_upgrade())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
