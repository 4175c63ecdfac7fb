"""The admin API under /admin: tenants, keys, costs and usage. Every route requires the admin credential."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse, Response

from gateway.api.admin_schemas import KeyCreate, TenantCreate, TenantUpdate, settings_dict
from gateway.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from gateway.store.tables import ApiKey
from gateway.tenancy import keys as key_service
from gateway.tenancy import reports
from gateway.tenancy import tenants as tenant_service
from gateway.tenancy.views import key_json, tenant_json


async def require_admin(request: Request) -> None:
    """The `ADMIN_API_KEY` bearer token, or a tenant key with the admin role."""
    components = request.app.state.components
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("The admin API needs 'Authorization: Bearer <admin key>'.", code="missing_api_key")
    admin_key = components.settings.admin_api_key
    if admin_key is not None and hmac.compare_digest(token.encode(), admin_key.get_secret_value().encode()):
        return
    caller = await components.keys.authenticate(header)
    if not caller.is_admin:
        raise PermissionDeniedError("This key may not use the admin API.", code="admin_required")


router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])


def _sessions(request: Request) -> Any:
    return request.app.state.components.sessions


def _known_models(request: Request) -> set[str]:
    return {m.name for m in request.app.state.components.catalog.models}


@router.post("/tenants", status_code=201)
async def create_tenant(body: TenantCreate, request: Request) -> Response:
    async with _sessions(request)() as session, session.begin():
        tenant = await tenant_service.create_tenant(session, body.name, settings_dict(body), _known_models(request))
        return JSONResponse(tenant_json(tenant), status_code=201)


@router.get("/tenants")
async def list_tenants(request: Request) -> Response:
    async with _sessions(request)() as session:
        return JSONResponse({"data": [tenant_json(t) for t in await tenant_service.list_tenants(session)]})


@router.get("/tenants/{tenant_id}")
async def get_tenant(tenant_id: str, request: Request) -> Response:
    async with _sessions(request)() as session:
        return JSONResponse(tenant_json(await tenant_service.get_tenant(session, tenant_id)))


@router.patch("/tenants/{tenant_id}")
async def update_tenant(tenant_id: str, body: TenantUpdate, request: Request) -> Response:
    async with _sessions(request)() as session, session.begin():
        tenant = await tenant_service.update_tenant(session, tenant_id, settings_dict(body), _known_models(request))
        return JSONResponse(tenant_json(tenant))


@router.post("/keys", status_code=201)
async def create_key(body: KeyCreate, request: Request) -> Response:
    expires = body.expires_at
    if body.expires_in_days is not None:
        expires = datetime.now(UTC) + timedelta(days=body.expires_in_days)
    options = key_service.KeyOptions(
        name=body.name,
        role=body.role,
        expires_at=expires,
        rate_limit_per_minute=body.rate_limit_per_minute,
        tokens_per_minute=body.tokens_per_minute,
    )
    async with _sessions(request)() as session, session.begin():
        tenant = await tenant_service.get_tenant(session, body.tenant_id)
        if body.monthly_token_budget is not None:
            tenant.monthly_token_budget = body.monthly_token_budget
        created = await key_service.mint_key(session, tenant.id, options)
        record = await session.get(ApiKey, created.key_id)
        assert record is not None  # nosec B101 # type narrowing: the key was just written in this session
        return JSONResponse({**key_json(record), "key": created.key}, status_code=201)


@router.get("/keys")
async def list_keys(request: Request, tenant_id: str | None = None) -> Response:
    async with _sessions(request)() as session:
        keys = await key_service.list_keys(session, tenant_id)
        return JSONResponse({"data": [key_json(k) for k in keys]})


@router.delete("/keys/{key_id}")
async def revoke_key(key_id: str, request: Request) -> Response:
    async with _sessions(request)() as session, session.begin():
        key = await key_service.revoke_key(session, key_id)
        if key is None:
            raise NotFoundError(f"No key with id '{key_id}'.", code="key_not_found")
        return JSONResponse(key_json(key))


@router.post("/keys/{key_id}/rotate", status_code=201)
async def rotate_key(key_id: str, request: Request) -> Response:
    async with _sessions(request)() as session, session.begin():
        created = await key_service.rotate_key(session, key_id)
        if created is None:
            raise NotFoundError(f"No key with id '{key_id}'.", code="key_not_found")
        record = await session.get(ApiKey, created.key_id)
        assert record is not None  # nosec B101 # type narrowing: the key was just written in this session
        return JSONResponse({**key_json(record), "key": created.key, "replaces": key_id}, status_code=201)


@router.get("/costs/summary")
async def costs_summary(request: Request, month: str | None = None, tenant_id: str | None = None) -> Response:
    await request.app.state.components.ledger.flush()  # include what this instance has not written yet
    async with _sessions(request)() as session:
        return JSONResponse(await reports.cost_summary(session, month, tenant_id))


@router.get("/usage")
async def usage(request: Request, tenant_id: str | None = None) -> Response:
    params = request.query_params
    await request.app.state.components.ledger.flush()
    async with _sessions(request)() as session:
        return JSONResponse(await reports.daily_usage(session, tenant_id, params.get("from"), params.get("to")))
