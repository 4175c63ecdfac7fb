"""POST /v1/route: the routing decision for a chat body, without calling any provider (a dry run).

Same authentication, parsing and planning as `/v1/chat/completions`; no rate limit, budget or provider call.
The answer shows the tier, the complexity score and its reasons, the candidates in order with their price and
circuit state, and the provider and model a real request would try first.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from gateway.api.body import read_limited_body
from gateway.api.openai_wire import parse_chat_request
from gateway.routing.breaker import Breakers
from gateway.routing.eligibility import RESIDENCY_HEADER
from gateway.routing.planner import Candidate
from gateway.store.state.base import StateUnavailableError

router = APIRouter()


@router.post("/v1/route")
async def route(request: Request) -> Response:
    components = request.app.state.components
    tenant = await components.keys.authenticate(request.headers.get("authorization"))
    body = await read_limited_body(
        request, components.settings.max_body_bytes, components.settings.body_read_timeout_seconds
    )
    chat = parse_chat_request(body)
    plan = components.planner.plan(tenant, chat, request.headers.get(RESIDENCY_HEADER))
    complexity = plan.complexity or components.planner.score(chat)
    health = await _health(components.breakers, sorted({c.provider.config.name for c in plan.candidates}))
    rows = [_candidate_json(c, health) for c in plan.candidates]
    first = next((row for row in rows if row["health"] != "open"), None)
    return JSONResponse(
        {
            "tier": plan.tier,
            "score": complexity.score,
            "scored_tier": complexity.tier,
            "reasons": list(complexity.reasons),
            "provider": first["provider"] if first else None,
            "model": first["model"] if first else None,
            "reason": plan.reason,
            "residency": plan.residency,
            "candidates": rows,
        }
    )


async def _health(breakers: Breakers | None, providers: list[str]) -> dict[str, str]:
    """Circuit state per provider; `unknown` when the breaker store cannot be read (calls would go through)."""
    if breakers is None:
        return {}
    try:
        return {s.name: s.state for s in await breakers.snapshot(providers)}
    except StateUnavailableError:
        return {name: "unknown" for name in providers}


def _candidate_json(candidate: Candidate, health: dict[str, str]) -> dict[str, Any]:
    model, config = candidate.model, candidate.provider.config
    return {
        "model": model.name,
        "provider": config.name,
        "tier": model.tier,
        "regions": model.regions,
        "price": candidate.price,
        "price_usd_per_1m": {"input": model.price_usd_per_1m.input, "output": model.price_usd_per_1m.output},
        "health": health.get(config.name, "closed"),
    }
