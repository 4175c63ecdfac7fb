"""The response cache's admin routes: statistics and invalidation (admin credential required)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse, Response

from gateway.api.admin import require_admin
from gateway.cache.stage import ResponseCache

router = APIRouter(prefix="/admin/cache", dependencies=[Depends(require_admin)])


def _cache(request: Request) -> ResponseCache:
    cache: ResponseCache = request.app.state.components.cache
    return cache


@router.get("/stats")
async def cache_stats(request: Request, tenant_id: str | None = None) -> Response:
    """Hit rates (exact, semantic), entries, tokens and EUR saved: overall, per tenant, per tenant and model.
    Counted in the shared state backend, so every instance reports the same numbers."""
    return JSONResponse(await _cache(request).report(tenant_id))


@router.delete("")
async def clear_cache(request: Request, tenant_id: str | None = None) -> Response:
    """Delete every cached answer, or one tenant's (`?tenant_id=`), on every instance."""
    deleted = await _cache(request).clear(tenant_id)
    return JSONResponse({"object": "cache.cleared", "tenant_id": tenant_id, "deleted": deleted})
