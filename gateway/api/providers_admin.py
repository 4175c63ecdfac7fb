"""GET /admin/providers: every configured provider with its region, models and circuit-breaker state."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse, Response

from gateway.api.admin import require_admin
from gateway.errors import NotFoundError, ServiceUnavailableError
from gateway.routing.breaker import Breakers
from gateway.store.state.base import StateUnavailableError
from gateway.store.state.breaker_base import CircuitSnapshot

router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])


@router.get("/providers")
async def list_providers(request: Request) -> Response:
    components = request.app.state.components
    names = sorted(components.registry.providers)
    circuits = await _snapshot(components.breakers, names)
    models: dict[str, list[str]] = {name: [] for name in names}
    for candidate in components.planner.available_models():
        models[candidate.provider.config.name].append(candidate.model.name)
    data = []
    for name, circuit in zip(names, circuits, strict=True):
        config = components.registry.get(name).config
        data.append(
            {
                "name": name,
                "kind": config.kind,
                "region": config.region,
                "mock": config.mock,
                "models": models[name],
                "breaker": _breaker_json(circuit),
            }
        )
    return JSONResponse({"data": data})


@router.post("/providers/{name}/reset")
async def reset_provider(name: str, request: Request) -> Response:
    """Close a provider's circuit by hand (e.g. after a fix, without waiting for the cooldown)."""
    components = request.app.state.components
    if components.registry.get(name) is None:
        raise NotFoundError(f"No configured provider '{name}'.", code="provider_not_found")
    breakers: Breakers | None = components.breakers
    if breakers is not None:
        try:
            await breakers.store.reset(name)
        except StateUnavailableError as exc:
            raise ServiceUnavailableError("The breaker state store is unavailable.") from exc
    return JSONResponse(_breaker_json(CircuitSnapshot(name, "closed")))


async def _snapshot(breakers: Breakers | None, names: list[str]) -> list[CircuitSnapshot]:
    if breakers is None:
        return [CircuitSnapshot(name, "closed") for name in names]
    try:
        return await breakers.snapshot(names)
    except StateUnavailableError as exc:
        raise ServiceUnavailableError("The breaker state store is unavailable.") from exc


def _breaker_json(circuit: CircuitSnapshot) -> dict[str, Any]:
    return {
        "state": circuit.state,
        "consecutive_failures": circuit.consecutive_failures,
        "window_requests": circuit.window_requests,
        "window_failures": circuit.window_failures,
        "successes": circuit.successes,
        "failures": circuit.failures,
        "times_opened": circuit.times_opened,
        "retry_in_seconds": round(circuit.retry_in, 3),
    }
