"""POST /v1/chat/completions: the HTTP edge of the pipeline, JSON or SSE."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.api.body import read_limited_body
from gateway.api.http_errors import request_id
from gateway.api.openai_render import ChunkRenderer, render_response
from gateway.api.sse_response import SSEResponse
from gateway.errors import GatewayError
from gateway.pipeline import Completion, StreamHandle
from gateway.routing.planner import Candidate

router = APIRouter()

_REQUEST_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["model", "messages"],
                    "properties": {
                        "model": {"type": "string"},
                        "messages": {"type": "array", "items": {"type": "object"}},
                        "stream": {"type": "boolean"},
                    },
                }
            }
        },
    }
}


def _headers(request_id_value: str, candidate: Candidate) -> dict[str, str]:
    headers = {
        "x-request-id": request_id_value,
        "x-gateway-provider": candidate.provider.config.name,
        "x-gateway-model": candidate.model.name,
    }
    if candidate.provider.config.mock:
        headers["x-gateway-mock"] = "true"
    return headers


@router.post("/v1/chat/completions", openapi_extra=_REQUEST_SCHEMA)
async def chat_completions(request: Request) -> Response:
    components = request.app.state.components
    body = await read_limited_body(
        request, components.settings.max_body_bytes, components.settings.body_read_timeout_seconds
    )
    rid = request_id(request)
    headers = request.headers
    result = await components.pipeline.handle(
        headers.get("authorization"), body, rid, headers.get("x-data-residency"), headers.get("cache-control")
    )
    if isinstance(result, Completion):
        return Response(
            render_response(result.response),
            media_type="application/json",
            headers={**result.headers, **_headers(rid, result.candidate)},
        )
    return SSEResponse(
        _sse(result),
        headers={
            **result.headers,
            **_headers(rid, result.candidate),
            "cache-control": "no-cache",
            "x-accel-buffering": "no",
        },
    )


async def _sse(handle: StreamHandle) -> AsyncGenerator[bytes, None]:
    model = handle.candidate.model.name  # the model that answers, also for `auto`
    renderer = ChunkRenderer(handle.response_id, model, handle.created, handle.request.include_usage)
    events = handle.events
    try:
        # The role chunk needs no event, so the first byte does not wait for the first event's way through the
        # stages (the dispatcher has seen it: the upstream answered). Closing `events` settles the request even
        # if its first event was never taken.
        yield renderer.start()
        async for event in events:
            chunk = renderer.event(event)
            if chunk is not None:
                yield chunk
    except GatewayError as exc:
        # After the first byte the status line is gone: the failure travels in-band, never as a clean end.
        yield renderer.error(exc)
        return
    finally:
        # Closed here too when the client leaves while a chunk is being sent: the pipeline settles on close.
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
    yield renderer.end()
