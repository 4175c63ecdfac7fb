"""A mock of Anthropic's Messages API (`POST /v1/messages`), JSON and SSE, with switchable faults.

It checks what the real API checks first (an API key, the `anthropic-version` header, the required fields,
tool results that answer the previous turn's tool calls), answers through the shared deterministic script,
and renders errors as `{"type": "error", "error": {"type", "message"}, "request_id"}` with a `request-id`
header.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.mock import control
from gateway.mock.faults import FaultSwitch
from gateway.mock.script import MockTool, Reply, Turn, chunk_text, reply_to

Json = dict[str, Any]

# fault -> (status, Anthropic error type, message)
_HTTP_FAULTS: dict[str, tuple[int, str, str]] = {
    "http_400": (400, "invalid_request_error", "messages: mock fault: request rejected"),
    "http_401": (401, "authentication_error", "invalid x-api-key"),
    "http_429": (429, "rate_limit_error", "This request would exceed the rate limit for your organization."),
    "http_500": (500, "api_error", "Internal server error"),
    "http_503": (503, "api_error", "Service unavailable"),  # undocumented by Anthropic; the generic 5xx type
    "http_529": (529, "overloaded_error", "Overloaded"),
}


class InvalidRequest(Exception):
    """A request the real API would refuse with 400 invalid_request_error."""


def _request_id() -> str:
    return "req_" + secrets.token_hex(12)


def error_response(status: int, kind: str, message: str) -> JSONResponse:
    """An error in Anthropic's shape; 429 carries `retry-after`, as the real API's rate limiter does."""
    request_id = _request_id()
    headers = {"request-id": request_id}
    if status == 429:
        headers["retry-after"] = "1"
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}
    return JSONResponse(body, status_code=status, headers=headers)


def _has_key(request: Request) -> bool:
    if request.headers.get("x-api-key"):
        return True
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


# ---- request -> Turn ------------------------------------------------------------------------------------


def _blocks(content: Any) -> list[Json]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content or [] if isinstance(b, dict)]


def _text(content: Any) -> str:
    return "".join(b.get("text") or "" for b in _blocks(content) if b.get("type") == "text")


def _validate(body: Json) -> None:
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise InvalidRequest("model: Field required")
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise InvalidRequest("max_tokens: Field required")
    temperature = body.get("temperature")
    if isinstance(temperature, (int, float)) and not 0 <= temperature <= 1:
        raise InvalidRequest("temperature: Input should be less than or equal to 1")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("messages: at least one message is required")
    for i, message in enumerate(messages):
        _validate_message(i, message, messages[i - 1] if i else None)


def _validate_message(i: int, message: Any, previous: Any) -> None:
    if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
        raise InvalidRequest(f"messages.{i}.role: Input should be 'user' or 'assistant'")
    blocks = _blocks(message.get("content"))
    if not blocks:
        raise InvalidRequest(f"messages.{i}: all messages must have non-empty content")
    offered = {b.get("id") for b in _blocks(previous.get("content"))} if isinstance(previous, dict) else set()
    for block in blocks:
        if block.get("type") == "tool_result" and block.get("tool_use_id") not in offered:
            raise InvalidRequest(
                f"messages.{i}.content: unexpected `tool_use_id` found in `tool_result` blocks: "
                f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding `tool_use` "
                "block in the previous message."
            )


def _system_text(system: Any) -> str:
    return system if isinstance(system, str) else _text(system)


def _result_text(block: Json) -> str:
    content = block.get("content")
    return content if isinstance(content, str) else _text(content)


def _prompt_text(body: Json) -> str:
    parts = [_system_text(body.get("system"))]
    for message in body["messages"]:
        for block in _blocks(message.get("content")):
            if block.get("type") == "text":
                parts.append(block.get("text") or "")
            elif block.get("type") == "tool_result":
                parts.append(_result_text(block))
            elif block.get("type") == "tool_use":
                parts.append(json.dumps(block.get("input") or {}))
    return " ".join(p for p in parts if p)


def _turn(body: Json) -> Turn:
    messages: list[Json] = body["messages"]
    user_texts = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
    last_blocks = _blocks(messages[-1].get("content")) if messages[-1].get("role") == "user" else []
    results = [b for b in last_blocks if b.get("type") == "tool_result"]
    choice = body.get("tool_choice") or {}
    output_format = (body.get("output_config") or {}).get("format")
    return Turn(
        model=body["model"],
        last_user_text=next((t for t in reversed(user_texts) if t), ""),
        prompt_text=_prompt_text(body),
        tools=[MockTool(t.get("name", ""), t.get("input_schema") or {}) for t in body.get("tools") or []],
        tool_choice_none=choice.get("type") == "none",
        forced_tool=choice.get("name") if choice.get("type") == "tool" else None,
        last_is_tool_result=bool(results),
        tool_result_text=_result_text(results[-1]) if results else "",
        max_tokens=body["max_tokens"],
        stop=[s for s in body.get("stop_sequences") or [] if isinstance(s, str)],
        # A model told to answer in JSON (natively or by its system prompt) answers in JSON.
        json_mode=bool(output_format) or "json" in _system_text(body.get("system")).lower(),
    )


# ---- Reply -> Anthropic message -------------------------------------------------------------------------


def _stop(turn: Turn, reply: Reply) -> tuple[str, str | None]:
    """(stop_reason, stop_sequence) for a reply, telling a stop sequence apart from a natural end."""
    if reply.finish == "tool_calls":
        return "tool_use", None
    if reply.finish == "length":
        return "max_tokens", None
    unlimited = reply_to(replace(turn, stop=[], max_tokens=None)).text
    matched = next((s for s in turn.stop if s and s in unlimited), None)
    return ("stop_sequence", matched) if matched else ("end_turn", None)


def _tool_id(call_id: str) -> str:
    return "toolu_" + call_id.removeprefix("call_")


def _content(reply: Reply) -> list[Json]:
    blocks: list[Json] = []
    if reply.text or not reply.tool_calls:
        blocks.append({"type": "text", "text": reply.text})
    for call in reply.tool_calls:
        blocks.append(
            {"type": "tool_use", "id": _tool_id(call.id), "name": call.name, "input": call.arguments}
        )
    return blocks


def _usage(reply: Reply, output_tokens: int) -> Json:
    return {
        "input_tokens": reply.prompt_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output_tokens,
    }


def _message(body: Json, turn: Turn, reply: Reply) -> Json:
    stop_reason, stop_sequence = _stop(turn, reply)
    return {
        "id": "msg_" + secrets.token_hex(12),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": _content(reply),
        "stop_reason": stop_reason,
        "stop_sequence": stop_sequence,
        "usage": _usage(reply, reply.completion_tokens),
    }


def _block_events(index: int, block: Json) -> list[Json]:
    """content_block_start, its deltas and content_block_stop for one finished block."""
    start: Json
    if block["type"] == "text":
        start = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in chunk_text(block["text"]) if piece]
    else:
        start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
        raw = json.dumps(block["input"])
        # As the real API does: an empty first piece, then the JSON in arbitrary slices.
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in ["", *_slices(raw, 12)]]
    return [
        {"type": "content_block_start", "index": index, "content_block": start},
        *({"type": "content_block_delta", "index": index, "delta": d} for d in deltas),
        {"type": "content_block_stop", "index": index},
    ]


def _slices(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def stream_events(message: Json) -> list[Json]:
    """The exact event sequence the real API sends for `message`, `ping` included."""
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None}
    start["usage"] = {**message["usage"], "output_tokens": 1}
    events: list[Json] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(message["content"]):
        events.extend(_block_events(index, block))
    events.insert(2, {"type": "ping"})  # the real API pings right after the first content_block_start
    delta = {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]}
    events.append(
        {
            "type": "message_delta",
            "delta": delta,
            "usage": {"output_tokens": message["usage"]["output_tokens"]},
        }
    )
    events.append({"type": "message_stop"})
    return events


def _sse(event: Json) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


BROKEN_SSE_CHUNK = (
    b'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {\n\n'
)


async def _sse_body(events: list[Json], fault: str | None) -> AsyncIterator[bytes]:
    if fault == "cut_stream":
        events = events[: len(events) // 2]  # ends before message_delta / message_stop
    for i, event in enumerate(events):
        if fault == "malformed" and i == 3:
            yield BROKEN_SSE_CHUNK
        yield _sse(event)


def _render(body: Json, turn: Turn, fault: str | None) -> Response:
    message = _message(body, turn, reply_to(turn))
    headers = {"request-id": _request_id()}
    if body.get("stream"):
        stream = _sse_body(stream_events(message), fault)
        return StreamingResponse(stream, media_type="text/event-stream; charset=utf-8", headers=headers)
    if fault == "malformed":
        return Response(control.MALFORMED_BODY, media_type="application/json", headers=headers)
    raw = json.dumps(message).encode()
    if fault == "cut_stream":
        raw = raw[: len(raw) // 2]  # a body that stops midway
    return Response(raw, media_type="application/json", headers=headers)


# ---- the app --------------------------------------------------------------------------------------------


async def _parse(request: Request) -> Json:
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise InvalidRequest(
            "There was an issue with the format of the request body: not valid JSON"
        ) from exc
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object")
    _validate(body)
    return body


async def _pre_fault(fault: str | None) -> Response | None:
    """The response for faults that replace the answer, if `fault` is one of them."""
    if fault in _HTTP_FAULTS:
        return error_response(*_HTTP_FAULTS[fault])
    if fault == "reset":
        return control.ResetResponse()
    if fault == "timeout":
        await control.hang()
    return None


def create_app() -> Starlette:
    """The mock's ASGI app: `POST /v1/messages` plus the shared `/_mock/faults` control routes."""
    switch = FaultSwitch()

    async def messages(request: Request) -> Response:
        if not _has_key(request):
            return error_response(401, "authentication_error", "x-api-key header is required")
        if not request.headers.get("anthropic-version"):
            return error_response(400, "invalid_request_error", "anthropic-version: header is required")
        fault = switch.take(request.headers.get("x-mock-fault"))
        try:
            body = await _parse(request)
        except InvalidRequest as exc:
            return error_response(400, "invalid_request_error", str(exc))
        replaced = await _pre_fault(fault)
        return replaced if replaced is not None else _render(body, _turn(body), fault)

    return control.build_app([Route("/v1/messages", messages, methods=["POST"])], switch)
