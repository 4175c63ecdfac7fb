"""GET /metrics: the Prometheus exposition of this instance (all its workers).

Open by default, as scrapers expect; with `METRICS_BEARER_TOKEN` set it needs `Authorization: Bearer <token>`
(the labels name tenants, which a public endpoint should not list).
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.errors import AuthenticationError
from gateway.observability.metrics import CONTENT_TYPE, GatewayMetrics
from gateway.store.state.base import StateUnavailableError

router = APIRouter()
log = logging.getLogger("gateway.api.metrics")


def _check_token(request: Request) -> None:
    token = request.app.state.components.settings.metrics_bearer_token
    if token is None:
        return
    scheme, _, sent = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.encode(), token.get_secret_value().encode()):
        raise AuthenticationError("/metrics needs 'Authorization: Bearer <metrics token>'.", code="invalid_api_key")


async def refresh_breaker_gauge(request: Request) -> None:
    """Read the circuits from the shared store: a transition is only seen by the instance that caused it."""
    components = request.app.state.components
    metrics: GatewayMetrics = components.metrics
    if components.breakers is None:
        return
    try:
        metrics.set_breakers(await components.breakers.snapshot(sorted(components.registry.providers)))
    except StateUnavailableError:
        log.warning("breaker state unavailable; the breaker gauge keeps its last values")


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    _check_token(request)
    await refresh_breaker_gauge(request)
    return Response(request.app.state.components.metrics.exposition(), media_type=CONTENT_TYPE)
