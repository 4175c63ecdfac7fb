"""Model listing, liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from gateway.errors import ModelNotFoundError
from gateway.routing.planner import Candidate

router = APIRouter()


def _model_json(candidate: Candidate) -> dict[str, Any]:
    config = candidate.provider.config
    return {
        "id": candidate.model.name,
        "object": "model",
        "created": 0,
        "owned_by": f"mock-{config.name}" if config.mock else config.name,
        "tier": candidate.model.tier,
        "regions": candidate.model.regions,
        "capabilities": candidate.model.capabilities,
        "mock": config.mock,
    }


@router.get("/v1/models")
async def list_models(request: Request) -> Response:
    components = request.app.state.components
    await components.keys.authenticate(request.headers.get("authorization"))
    data = [_model_json(c) for c in components.planner.available_models()]
    return JSONResponse({"object": "list", "data": data})


@router.get("/v1/models/{model_id:path}")
async def get_model(model_id: str, request: Request) -> Response:
    components = request.app.state.components
    await components.keys.authenticate(request.headers.get("authorization"))
    for candidate in components.planner.available_models():
        if candidate.model.name == model_id:
            return JSONResponse(_model_json(candidate))
    raise ModelNotFoundError(f"The model '{model_id}' does not exist or is not available.", param="model")


@router.get("/health")
async def health() -> Response:
    return JSONResponse({"status": "ok"})


@router.get("/ready")
async def ready(request: Request) -> Response:
    problems = await request.app.state.components.readiness_problems()
    if problems:
        return JSONResponse({"status": "unavailable", "reasons": problems}, status_code=503)
    return JSONResponse({"status": "ready"})
