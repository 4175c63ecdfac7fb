"""A mock of OpenAI's Chat Completions API, faithful enough for the official `openai` SDK.

Routes: `POST /v1/chat/completions`, `GET /v1/models`, and the Azure OpenAI deployment route
`POST [/v1]/openai/deployments/{deployment}/chat/completions` (which, like Azure, needs `?api-version=`).
Auth: `Authorization: Bearer <key>` or Azure's `api-key: <key>`; any non-empty key is accepted.
Model ids starting with `unknown-` do not exist (404 model_not_found), so that error can be exercised.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.mock import control
from gateway.mock.faults import FaultSwitch
from gateway.mock.script import MockTool, Reply, Turn, call_id, chunk_text, reply_to

MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "o4-mini")
UNKNOWN_MODEL_PREFIX = "unknown-"
FINGERPRINT = "fp_mock0001"

_RATE_HEADERS = {
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "30000000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-remaining-tokens": "29999000",
    "x-ratelimit-reset-requests": "6ms",
    "x-ratelimit-reset-tokens": "2ms",
}


# ---- errors, in OpenAI's shape --------------------------------------------------------------------------


def error_response(
    status: int, message: str, type_: str, *, code: str | None = None, param: str | None = None
) -> JSONResponse:
    """`{"error": {"message", "type", "param", "code"}}` with OpenAI's headers."""
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    headers = {"x-request-id": "req_mock_error", **_RATE_HEADERS}
    if status == 429:
        # Not every OpenAI 429 has retry-after, but its rate-limit headers always say when the window resets.
        headers.update(
            {"retry-after": "1", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"}
        )
    return JSONResponse(body, status_code=status, headers=headers)


_FAULT_ERRORS: dict[str, tuple[int, str, str, str | None]] = {
    "http_400": (400, "Invalid value for 'messages'.", "invalid_request_error", None),
    "http_401": (401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    "http_429": (429, "Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
    "http_500": (500, "The server had an error while processing your request.", "server_error", None),
    "http_503": (503, "The server is overloaded.", "service_unavailable_error", "server_is_overloaded"),
    # OpenAI has no 529; its overload status is 503.
    "http_529": (503, "The server is overloaded.", "service_unavailable_error", "server_is_overloaded"),
}


def _fault_error(fault: str) -> JSONResponse:
    status, message, type_, code = _FAULT_ERRORS[fault]
    return error_response(status, message, type_, code=code, param="messages" if status == 400 else None)


def _auth_error(request: Request) -> JSONResponse | None:
    bearer = request.headers.get("authorization", "")
    key = bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
    if key or request.headers.get("api-key", "").strip():
        return None
    message = "You didn't provide an API key. Provide it in the Authorization header (Bearer auth)."
    return error_response(401, message, "invalid_request_error")


# ---- request -> Turn ------------------------------------------------------------------------------------


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _tools(body: dict[str, Any]) -> list[MockTool]:
    tools = []
    for tool in body.get("tools") or []:
        function = tool.get("function") or {}
        tools.append(MockTool(function.get("name", ""), function.get("parameters") or {}))
    return tools


def _stop(body: dict[str, Any]) -> list[str]:
    stop = body.get("stop")
    return [stop] if isinstance(stop, str) else list(stop or [])


def to_turn(body: dict[str, Any]) -> Turn:
    """What the shared script needs to know about a Chat Completions request."""
    messages: list[dict[str, Any]] = body["messages"]
    users = [m for m in messages if m.get("role") == "user"]
    choice = body.get("tool_choice")
    forced = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
    last = messages[-1]
    fmt = (body.get("response_format") or {}).get("type")
    return Turn(
        model=body["model"],
        last_user_text=_text(users[-1].get("content")) if users else "",
        prompt_text=" ".join(_text(m.get("content")) for m in messages),
        tools=_tools(body),
        tool_choice_none=choice == "none",
        forced_tool=forced,
        last_is_tool_result=last.get("role") == "tool",
        tool_result_text=_text(last.get("content")) if last.get("role") == "tool" else "",
        max_tokens=body.get("max_completion_tokens", body.get("max_tokens")),
        stop=_stop(body),
        json_mode=fmt in ("json_object", "json_schema"),
    )


def _invalid(body: Any) -> JSONResponse | None:
    """OpenAI's 400 for a body that is not a chat request, naming the offending param."""
    if not isinstance(body, dict):
        return error_response(
            400, "We could not parse the JSON body of your request.", "invalid_request_error"
        )
    if not isinstance(body.get("model"), str) or not body["model"]:
        return error_response(
            400, "you must provide a model parameter", "invalid_request_error", param="model"
        )
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        return error_response(
            400,
            "Invalid 'messages': empty array.",
            "invalid_request_error",
            code="empty_array",
            param="messages",
        )
    if body["model"].startswith(UNKNOWN_MODEL_PREFIX):
        message = "The model does not exist or you do not have access to it."
        return error_response(404, message, "invalid_request_error", code="model_not_found")
    return None


# ---- Reply -> wire --------------------------------------------------------------------------------------


def _usage(reply: Reply) -> dict[str, Any]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _wire_tool_calls(reply: Reply) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
        for c in reply.tool_calls
    ]


def completion(reply: Reply, model: str, completion_id: str) -> dict[str, Any]:
    """A `chat.completion` object."""
    message: dict[str, Any] = {
        "role": "assistant",
        "content": reply.text or None,
        "refusal": None,
        "annotations": [],
    }
    if reply.tool_calls:
        message["tool_calls"] = _wire_tool_calls(reply)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": reply.finish}],
        "usage": _usage(reply),
        "service_tier": "default",
        "system_fingerprint": FINGERPRINT,
    }


class _Chunks:
    """Builds the `chat.completion.chunk` objects of one stream (same id and created on every chunk)."""

    def __init__(self, model: str, completion_id: str, include_usage: bool) -> None:
        self.base = {"id": completion_id, "object": "chat.completion.chunk", "created": int(time.time())}
        self.model, self.include_usage = model, include_usage

    def choice(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        chunk = {
            **self.base,
            "model": self.model,
            "service_tier": "default",
            "system_fingerprint": FINGERPRINT,
        }
        chunk["choices"] = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        if self.include_usage:
            chunk["usage"] = None  # as OpenAI: every chunk has usage: null, the last one has the counts
        return chunk

    def usage(self, reply: Reply) -> dict[str, Any]:
        chunk = {
            **self.base,
            "model": self.model,
            "service_tier": "default",
            "system_fingerprint": FINGERPRINT,
        }
        return {**chunk, "choices": [], "usage": _usage(reply)}


def _tool_call_chunks(chunks: _Chunks, reply: Reply) -> Iterator[dict[str, Any]]:
    for index, call in enumerate(reply.tool_calls):
        head = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        delta: dict[str, Any] = {"tool_calls": [head]}
        if index == 0:
            delta = {"role": "assistant", "content": None, **delta}
        yield chunks.choice(delta)
        arguments = json.dumps(call.arguments)
        for start in range(0, len(arguments), 8):  # arguments arrive in small pieces, as from OpenAI
            yield chunks.choice(
                {"tool_calls": [{"index": index, "function": {"arguments": arguments[start : start + 8]}}]}
            )


def stream_chunks(reply: Reply, chunks: _Chunks) -> Iterator[dict[str, Any]]:
    """Every chunk of the stream, in OpenAI's order: role, content or tool call pieces, finish, usage."""
    if reply.tool_calls:
        yield from _tool_call_chunks(chunks, reply)
    else:
        yield chunks.choice({"role": "assistant", "content": "", "refusal": None})
        for piece in chunk_text(reply.text) if reply.text else []:
            yield chunks.choice({"content": piece})
    yield chunks.choice({}, reply.finish)
    if chunks.include_usage:
        yield chunks.usage(reply)


def _sse(data: dict[str, Any] | str) -> bytes:
    return f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n".encode()


async def _sse_body(reply: Reply, chunks: _Chunks, fault: str | None) -> AsyncIterator[bytes]:
    items = list(stream_chunks(reply, chunks))
    for position, item in enumerate(items):
        if fault in ("cut_stream", "malformed") and position == len(items) // 2:
            if fault == "malformed":
                yield b'data: {"id": "broken", "choices": [ this is not json\n\n'
            return  # no finish, no usage, no [DONE]
        yield _sse(item)
    yield _sse("[DONE]")


# ---- routes ---------------------------------------------------------------------------------------------


def _completion_id(turn: Turn) -> str:
    return "chatcmpl-" + call_id(turn.model + turn.prompt_text)[5:]


def _answer(body: dict[str, Any], fault: str | None) -> Response:
    turn = to_turn(body)
    reply = reply_to(turn)
    completion_id = _completion_id(turn)
    headers = {"x-request-id": "req_" + completion_id[9:], "openai-processing-ms": "1", **_RATE_HEADERS}
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = _Chunks(body["model"], completion_id, include_usage)
        return StreamingResponse(
            _sse_body(reply, chunks, fault), media_type="text/event-stream; charset=utf-8", headers=headers
        )
    if fault == "malformed":
        return Response(control.MALFORMED_BODY, media_type="application/json", headers=headers)
    content = json.dumps(completion(reply, body["model"], completion_id)).encode()
    if fault == "cut_stream":  # a non-stream body that stops midway: invalid JSON
        content = content[: len(content) // 2]
    return Response(content, media_type="application/json", headers=headers)


async def _chat(request: Request, switch: FaultSwitch, deployment: str | None = None) -> Response:
    fault = switch.take(request.headers.get("x-mock-fault"))
    if fault == "reset":
        return control.ResetResponse()
    if fault == "timeout":
        await control.hang()
    if fault == "http_401":
        return _fault_error(fault)
    auth = _auth_error(request)
    if auth is not None:
        return auth
    if fault in _FAULT_ERRORS:
        return _fault_error(fault)
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = None
    if deployment is not None and isinstance(body, dict):
        body.setdefault("model", deployment)  # on Azure the deployment names the model
    invalid = _invalid(body)
    return invalid if invalid is not None else _answer(body, fault)


def create_app() -> Starlette:
    """The OpenAI mock app, with fault control at `/_mock/faults`."""
    switch = FaultSwitch()

    async def chat(request: Request) -> Response:
        return await _chat(request, switch)

    async def deployment_chat(request: Request) -> Response:
        if not request.query_params.get("api-version"):
            # Azure answers a call without api-version as an unknown resource.
            return error_response(404, "Resource not found", "invalid_request_error", code="404")
        return await _chat(request, switch, request.path_params["deployment"])

    async def models(request: Request) -> Response:
        auth = _auth_error(request)
        if auth is not None:
            return auth
        data = [{"id": m, "object": "model", "created": 1715367049, "owned_by": "system"} for m in MODELS]
        return JSONResponse({"object": "list", "data": data})

    routes = [
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/openai/deployments/{deployment}/chat/completions", deployment_chat, methods=["POST"]),
        Route("/v1/openai/deployments/{deployment}/chat/completions", deployment_chat, methods=["POST"]),
    ]
    return control.build_app(routes, switch)
