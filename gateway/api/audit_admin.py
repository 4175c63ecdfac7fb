"""The audit admin API under /admin/audit: verify the chain, export (DSGVO Art. 15), erase a subject (Art. 17),
anchors, pruning, and the per-tenant prompt-retention setting. Every route requires the admin credential."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, TypedDict

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import JSONResponse, Response, StreamingResponse

from gateway.api.admin import require_admin
from gateway.audit import anchors, retention
from gateway.audit.erasure import erase_subject
from gateway.audit.export import ExportQuery, export_items, render
from gateway.audit.verify import seq_range_of_times, verify_chain
from gateway.errors import InvalidRequestError
from gateway.store.repositories import audit as audit_repo

router = APIRouter(prefix="/admin/audit", dependencies=[Depends(require_admin)])


class _IdBounds(TypedDict):
    """Keyword arguments of `Query`/`Path`, typed so mypy checks them against those signatures."""

    min_length: int
    max_length: int
    pattern: str


# Tenant ids are generated hex; anything else cannot name a tenant and must not reach SQL or a header.
TENANT: _IdBounds = {"min_length": 1, "max_length": 64, "pattern": r"^[A-Za-z0-9_-]+$"}
MAX_SEQ = 2**62


class RetentionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retain_prompts: bool


def parse_time(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 date or time; naive values are UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRequestError(f"'{name}' must be an ISO 8601 date or time.", param=name) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _components(request: Request) -> Any:
    return request.app.state.components


def _secret(request: Request) -> str | None:
    secret = _components(request).settings.audit_anchor_secret
    return secret.get_secret_value() if secret else None


@router.get("/verify")
async def verify(
    request: Request,
    from_seq: int | None = Query(None, ge=1, le=MAX_SEQ),
    to_seq: int | None = Query(None, ge=1, le=MAX_SEQ),
) -> Response:
    """Verify the whole chain, a sequence range, or the records of a time range (`from`, `to`)."""
    sessions = _components(request).sessions
    start, end = parse_time(request.query_params.get("from"), "from"), parse_time(request.query_params.get("to"), "to")
    if start or end:
        from_seq, to_seq = await seq_range_of_times(sessions, start, end)
        if from_seq is None:
            return JSONResponse({"valid": True, "checked": 0, "broken": None, "notes": ["no records in the range"]})
    report = await verify_chain(sessions, from_seq, to_seq, secret=_secret(request))
    return JSONResponse(report.as_json())


@router.get("/export")
async def export(request: Request, tenant: str = Query(**TENANT), subject: str | None = None,
                 format: Literal["jsonl", "csv"] = "jsonl") -> Response:  # `format`: the public parameter name
    params = request.query_params
    query = ExportQuery(tenant, subject, parse_time(params.get("from"), "from"), parse_time(params.get("to"), "to"))
    media = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
    disposition = f'attachment; filename="audit-{tenant}.{format}"'
    body = render(export_items(_components(request).sessions, query), format)
    return StreamingResponse(body, media_type=media, headers={"content-disposition": disposition})


@router.delete("/subjects/{subject}")
async def erase(subject: str, request: Request, tenant: str = Query(**TENANT)) -> Response:
    async with _components(request).sessions() as session, session.begin():
        return JSONResponse(await erase_subject(session, tenant, subject))


@router.post("/anchors", status_code=201)
async def create_anchor(request: Request) -> Response:
    async with _components(request).sessions() as session, session.begin():
        anchor = await anchors.anchor_head(session, "manual", _secret(request))
    if anchor is None:
        raise InvalidRequestError("The audit log is empty: nothing to anchor.", code="audit_log_empty")
    return JSONResponse(anchors.anchor_json(anchor), status_code=201)


@router.get("/anchors")
async def list_anchors(request: Request) -> Response:
    async with _components(request).sessions() as session:
        return JSONResponse({"data": [anchors.anchor_json(a) for a in await audit_repo.anchors(session)]})


@router.post("/prune")
async def prune(request: Request, days: int | None = Query(None, ge=1, le=36500)) -> Response:
    """Delete records older than `days` (default: the configured retention), keeping the chain verifiable."""
    days = days or _components(request).settings.audit_retention_days
    if days is None:
        raise InvalidRequestError("No retention period: pass ?days= or set AUDIT_RETENTION_DAYS.", param="days")
    async with _components(request).sessions() as session, session.begin():
        return JSONResponse(await retention.prune(session, retention.cutoff(days), _secret(request)))


@router.get("/tenants/{tenant_id}/settings")
async def get_settings(request: Request, tenant_id: str = Path(**TENANT)) -> Response:
    async with _components(request).sessions() as session:
        return JSONResponse(await retention.prompt_retention(session, tenant_id))


@router.put("/tenants/{tenant_id}/settings")
async def put_settings(body: RetentionIn, request: Request, tenant_id: str = Path(**TENANT)) -> Response:
    async with _components(request).sessions() as session, session.begin():
        return JSONResponse(await retention.set_prompt_retention(session, tenant_id, body.retain_prompts))
