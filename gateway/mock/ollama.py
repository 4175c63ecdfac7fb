"""A mock Ollama server speaking the native API: `POST /api/chat` (JSON or NDJSON), `GET /api/tags`,
`GET /api/version` and `GET /` (the "Ollama is running" health probe).

Shapes follow docs.ollama.com/api (chat, errors, streaming) and /capabilities/tool-calling: errors
are `{"error": "<text>"}` with the HTTP status, a stream is `application/x-ndjson` whose last line has
`done: true`, the `done_reason` and the token counts, and tool calls carry their arguments as a JSON object.

Unlike the other mocks this one does NOT require an auth header: a local Ollama server has no authentication,
and the official client sends none unless OLLAMA_API_KEY is set. It rejects what Ollama rejects instead: a
body without `model` or `messages` (400), and a model that is not pulled (404; here every name starting
with "missing").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.mock.control import MALFORMED_BODY, ResetResponse, build_app, hang
from gateway.mock.faults import FaultSwitch
from gateway.mock.script import MockTool, Reply, Turn, chunk_text, reply_to

VERSION = "0.12.6"
NDJSON = "application/x-ndjson"
MODELS = ("llama3.2:latest", "qwen3:latest", "mistral:latest")

# Each fault rendered the way Ollama answers it: its status and its `{"error": ...}` text. Ollama has no 529;
# an overloaded server answers 503 "server busy" (OLLAMA_MAX_QUEUE exceeded), so http_529 renders as that too.
_BUSY = (503, "server busy, please try again.  maximum pending requests exceeded")
_HTTP_FAULTS: dict[str, tuple[int, str]] = {
    "http_400": (400, "json: cannot unmarshal string into Go struct field ChatRequest.options of type map"),
    "http_401": (401, "unauthorized"),
    "http_429": (429, "too many requests, please retry later"),
    "http_500": (500, "an error was encountered while running the model"),
    "http_503": _BUSY,
    "http_529": _BUSY,
}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


# ---- request -> Turn ---------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _tools(body: dict[str, Any]) -> list[MockTool]:
    tools = []
    for tool in body.get("tools") or []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            tools.append(MockTool(function["name"], function.get("parameters") or {}))
    return tools


def _stop(options: dict[str, Any]) -> list[str]:
    stop = options.get("stop")
    if isinstance(stop, str):
        return [stop]
    return [s for s in stop if isinstance(s, str)] if isinstance(stop, list) else []


def turn_of(body: dict[str, Any]) -> Turn:
    """What the shared script needs to know about an Ollama chat request."""
    messages = [m for m in body["messages"] if isinstance(m, dict)]
    users = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
    last = messages[-1] if messages else {}
    raw_options = body.get("options")
    options: dict[str, Any] = raw_options if isinstance(raw_options, dict) else {}
    num_predict = options.get("num_predict")
    return Turn(
        model=body["model"],
        last_user_text=users[-1] if users else "",
        prompt_text=" ".join(_text(m.get("content")) for m in messages),
        tools=_tools(body),
        last_is_tool_result=last.get("role") == "tool",
        tool_result_text=_text(last.get("content")) if last.get("role") == "tool" else "",
        max_tokens=num_predict if isinstance(num_predict, int) and num_predict >= 0 else None,
        stop=_stop(options),
        json_mode=bool(body.get("format")),
    )


# ---- Reply -> Ollama JSON ----------------------------------------------------------------------------------


def _wire_tool_calls(reply: Reply) -> list[dict[str, Any]]:
    return [
        {"function": {"index": i, "name": call.name, "arguments": call.arguments}}
        for i, call in enumerate(reply.tool_calls)
    ]


def _final_fields(reply: Reply) -> dict[str, Any]:
    """What the last object carries. Ollama says `stop` after a tool call too; durations are nanoseconds."""
    return {
        "done": True,
        "done_reason": "length" if reply.finish == "length" else "stop",
        "total_duration": 250_000_000 + 1_000_000 * reply.completion_tokens,
        "load_duration": 20_000_000,
        "prompt_eval_count": reply.prompt_tokens,
        "prompt_eval_duration": 10_000_000 * reply.prompt_tokens,
        "eval_count": reply.completion_tokens,
        "eval_duration": 12_000_000 * reply.completion_tokens,
    }


def chat_body(model: str, reply: Reply) -> dict[str, Any]:
    """The `stream: false` answer."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.tool_calls:
        message["tool_calls"] = _wire_tool_calls(reply)
    return {"model": model, "created_at": _now(), "message": message, **_final_fields(reply)}


def _line(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _chunk(model: str, message: dict[str, Any]) -> dict[str, Any]:
    return {"model": model, "created_at": _now(), "message": {"role": "assistant", **message}, "done": False}


def stream_lines(model: str, reply: Reply) -> Iterator[bytes]:
    """The `stream: true` answer: content pieces, each tool call whole, then the final `done` line."""
    if reply.text:
        for piece in chunk_text(reply.text):
            yield _line(_chunk(model, {"content": piece}))
    if reply.tool_calls:
        yield _line(_chunk(model, {"content": "", "tool_calls": _wire_tool_calls(reply)}))
    final = {"model": model, "created_at": _now(), "message": {"role": "assistant", "content": ""}}
    yield _line({**final, **_final_fields(reply)})


# ---- faults ------------------------------------------------------------------------------------------------


async def _ndjson(lines: list[bytes]) -> AsyncIterator[bytes]:
    for line in lines:
        yield line


def _cut(model: str, reply: Reply, stream: bool) -> Response:
    """`cut_stream`: the answer stops halfway, without its `done: true` line (or, unstreamed, mid-object)."""
    if not stream:
        body = _line(chat_body(model, reply))
        return Response(body[: len(body) // 2], media_type="application/json")
    lines = list(stream_lines(model, reply))[:-1]
    return StreamingResponse(_ndjson(lines[: max(1, len(lines) // 2)]), media_type=NDJSON)


def _malformed(model: str, reply: Reply, stream: bool) -> Response:
    if not stream:
        return Response(MALFORMED_BODY, media_type="application/json")
    first = next(stream_lines(model, reply))
    broken = b'{"model":"' + model.encode() + b'","message":{"role":"assistant","content":\n'
    return StreamingResponse(_ndjson([first, broken]), media_type=NDJSON)


async def _fault_response(fault: str, body: dict[str, Any] | None) -> Response | None:
    """The response for `fault`, or None when the request should then be answered normally."""
    if fault in _HTTP_FAULTS:
        status, message = _HTTP_FAULTS[fault]
        return _error(status, message, {"retry-after": "1"} if status == 429 else None)
    if fault == "timeout":
        await hang()
        return None
    if fault == "reset":
        return ResetResponse()
    if body is None:  # the stream faults need a valid request to cut or break
        return None
    reply = reply_to(turn_of(body))
    stream = body.get("stream", True) is not False
    return (
        _cut(body["model"], reply, stream)
        if fault == "cut_stream"
        else _malformed(body["model"], reply, stream)
    )


# ---- routes ------------------------------------------------------------------------------------------------


async def _parse(request: Request) -> tuple[dict[str, Any] | None, Response | None]:
    """The request body, or Ollama's 400/404 for what it would refuse."""
    try:
        body = json.loads(await request.body() or b"null")
    except json.JSONDecodeError:
        return None, _error(400, "invalid character in request body")
    if not isinstance(body, dict):
        return None, _error(400, "missing request body")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return None, _error(400, "model is required")
    if not isinstance(body.get("messages"), list):
        return None, _error(400, "messages is required")
    if model.startswith("missing"):
        return None, _error(404, f'model "{model}" not found, try pulling it first')
    return body, None


def _routes(switch: FaultSwitch) -> list[Route]:
    async def chat(request: Request) -> Response:
        body, refusal = await _parse(request)
        fault = switch.take(request.headers.get("x-mock-fault"))
        if fault:
            faulted = await _fault_response(fault, body)
            if faulted is not None:
                return faulted
        if refusal is not None or body is None:
            return refusal or _error(400, "missing request body")
        reply = reply_to(turn_of(body))
        if body.get("stream", True) is False:  # Ollama streams unless told not to
            return JSONResponse(chat_body(body["model"], reply))
        return StreamingResponse(_ndjson(list(stream_lines(body["model"], reply))), media_type=NDJSON)

    async def tags(_: Request) -> Response:
        return JSONResponse({"models": [_model_entry(name) for name in MODELS]})

    async def version(_: Request) -> Response:
        return JSONResponse({"version": VERSION})

    async def root(_: Request) -> Response:
        return PlainTextResponse("Ollama is running")

    return [
        Route("/api/chat", chat, methods=["POST"]),
        Route("/api/tags", tags, methods=["GET"]),
        Route("/api/version", version, methods=["GET"]),
        Route("/", root, methods=["GET", "HEAD"]),
    ]


def _model_entry(name: str) -> dict[str, Any]:
    family = name.split(":")[0].rstrip("0123456789.")
    return {
        "name": name,
        "model": name,
        "modified_at": "2025-01-01T00:00:00Z",
        "size": 2_019_393_189,
        "digest": hashlib.sha256(name.encode()).hexdigest(),
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": family,
            "families": [family],
            "parameter_size": "3.2B",
            "quantization_level": "Q4_K_M",
        },
    }


def create_app() -> Starlette:
    """The mock Ollama app, with its own fault switch (see gateway.mock.faults)."""
    switch = FaultSwitch()
    return build_app(_routes(switch), switch)
