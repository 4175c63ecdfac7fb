"""Admin operations from the command line, on the database the settings name (same services as /admin)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.catalog import load_catalog
from gateway.settings import Settings
from gateway.store import db
from gateway.tenancy import keys as key_service
from gateway.tenancy import reports
from gateway.tenancy import tenants as tenant_service
from gateway.tenancy.views import key_json, tenant_json

SETTING_FLAGS = {
    "rate_limit_per_minute": int,
    "tokens_per_minute": int,
    "monthly_token_budget": int,
    "monthly_budget_eur": float,
    "residency": str,
}


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    for name, kind in SETTING_FLAGS.items():
        parser.add_argument("--" + name.replace("_", "-"), type=kind, default=None)
    parser.add_argument("--allowed-models", default=None, help="comma-separated model names")
    parser.add_argument(
        "--pii", choices=["redact", "block", "allow"], default=None, help="default PII policy for every type"
    )
    parser.add_argument(
        "--cache-mode", choices=["off", "exact", "exact+semantic"], default=None, help="response cache mode"
    )


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    values = {name: getattr(args, name) for name in SETTING_FLAGS if getattr(args, name) is not None}
    if args.allowed_models is not None:
        values["allowed_models"] = [m for m in args.allowed_models.split(",") if m]
    if args.pii is not None:
        values["pii_policy"] = {"default": args.pii, "types": {}}
    if args.cache_mode is not None:
        values["cache_mode"] = args.cache_mode
    return values


async def in_transaction(work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    engine = db.create_engine(Settings().database_url)
    try:
        await db.upgrade(engine)
        async with db.session_factory(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


def _known_models() -> set[str]:
    return {m.name for m in load_catalog(Settings().catalog_path).models}


async def run(args: argparse.Namespace) -> Any:
    """Dispatch `gateway tenants|keys|costs ...` (everything but `keys create`, which prints the key)."""
    match (args.command, getattr(args, "action", None)):
        case ("tenants", "create"):
            create = tenant_service.create_tenant
            return await in_transaction(
                lambda s: _tenant(create(s, args.name, settings_from_args(args), _known_models()))
            )
        case ("tenants", "update"):
            update = tenant_service.update_tenant
            return await in_transaction(
                lambda s: _tenant(update(s, args.tenant_id, settings_from_args(args), _known_models()))
            )
        case ("tenants", "list"):
            return await in_transaction(lambda s: _tenants(s))
        case ("keys", "list"):
            return await in_transaction(lambda s: _keys(s, args.tenant_id))
        case ("keys", "revoke"):
            return await in_transaction(lambda s: _revoke(s, args.key_id))
        case ("keys", "rotate"):
            return await in_transaction(lambda s: _rotate(s, args.key_id))
        case ("costs", "summary"):
            return await in_transaction(lambda s: reports.cost_summary(s, args.month, args.tenant_id))
        case ("usage", _):
            return await in_transaction(lambda s: reports.daily_usage(s, args.tenant_id, args.start, args.end))
    raise SystemExit(f"unknown command {args.command} {getattr(args, 'action', '')}")


async def _tenant(pending: Awaitable[Any]) -> dict[str, Any]:
    return tenant_json(await pending)


async def _tenants(session: AsyncSession) -> list[dict[str, Any]]:
    return [tenant_json(t) for t in await tenant_service.list_tenants(session)]


async def _keys(session: AsyncSession, tenant_id: str | None) -> list[dict[str, Any]]:
    return [key_json(k) for k in await key_service.list_keys(session, tenant_id)]


async def _revoke(session: AsyncSession, key_id: str) -> dict[str, Any]:
    key = await key_service.revoke_key(session, key_id)
    if key is None:
        raise SystemExit(f"no key with id {key_id}")
    return key_json(key)


async def _rotate(session: AsyncSession, key_id: str) -> dict[str, Any]:
    created = await key_service.rotate_key(session, key_id)
    if created is None:
        raise SystemExit(f"no key with id {key_id}")
    return {"id": created.key_id, "prefix": created.prefix, "replaces": key_id, "key": created.key}


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))
