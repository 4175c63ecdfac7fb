"""Ollama `/api/chat` response -> canonical `ChatResponse`, and the pieces the stream parser shares.

A non-streamed answer is one object: `{"model", "created_at", "message": {"role", "content", "tool_calls"},
"done": true, "done_reason", "prompt_eval_count", "eval_count", ...durations}`. Ollama has no response id and
(in the documented API) no tool call ids, so both are made here.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from datetime import datetime
from typing import Any

import msgspec

from gateway.errors import UpstreamProtocolError
from gateway.providers.ollama.errors import PROVIDER
from gateway.types import ChatResponse, FinishReason, ToolCall, Usage

FINISH_REASONS: dict[str, FinishReason] = {"stop": "stop", "length": "length"}


def finish_reason(done_reason: str | None, has_tool_calls: bool) -> FinishReason:
    """OpenAI's finish reason. Ollama reports `stop` also after a tool call, so tool calls decide first;
    other values (`load`, `unload`, future ones) count as `stop`."""
    if has_tool_calls:
        return "tool_calls"
    return FINISH_REASONS.get(done_reason or "", "stop")


def usage_of(body: dict[str, Any]) -> tuple[int | None, int | None]:
    """(prompt, completion) tokens: `prompt_eval_count` and `eval_count`, None where absent."""
    prompt = body.get("prompt_eval_count")
    completion = body.get("eval_count")
    return (prompt if isinstance(prompt, int) else None, completion if isinstance(completion, int) else None)


def tool_call_of(raw: Any, index: int, salt: str) -> ToolCall:
    """A canonical tool call from one entry of `message.tool_calls`.

    Args:
        raw: `{"function": {"name", "arguments": {...}, "index"?}, "id"?}`.
        index: the call's position in the whole answer.
        salt: something unique to this answer (its `created_at`), so generated ids differ between answers.

    The arguments object is JSON-encoded, as OpenAI's format wants. The id is the one Ollama sent, if a newer
    version sends one; otherwise it is derived from the answer and the call, so parsing the same answer twice
    gives the same id.
    """
    function = raw.get("function") if isinstance(raw, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise UpstreamProtocolError(f"{PROVIDER} sent a tool call without a function name", provider=PROVIDER)
    args = function.get("arguments")
    if isinstance(args, str):  # tolerate an already encoded string
        arguments = args or "{}"
    else:
        arguments = json.dumps(
            args if isinstance(args, dict) else {}, ensure_ascii=False, separators=(",", ":")
        )
    upstream_id = raw.get("id")
    call_id = (
        upstream_id if isinstance(upstream_id, str) and upstream_id else _stable_id(salt, index, function)
    )
    return ToolCall(id=call_id, name=function["name"], arguments=arguments)


def _stable_id(salt: str, index: int, function: dict[str, Any]) -> str:
    seed = f"{salt}|{index}|{function['name']}|{json.dumps(function.get('arguments'), sort_keys=True)}"
    return "call_" + hashlib.sha256(seed.encode()).hexdigest()[:24]


_FRACTION = re.compile(r"\.(\d{6})\d+")


def created_of(body: dict[str, Any]) -> int:
    """Unix seconds of `created_at` (RFC 3339, Go prints up to nanoseconds), else now."""
    value = body.get("created_at")
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(_FRACTION.sub(r".\1", value)).timestamp())
        except ValueError:
            pass
    return int(time.time())


def response_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


def decode(body: bytes | dict[str, Any], provider: str = PROVIDER) -> dict[str, Any]:
    """The JSON object of a 200 body; UpstreamProtocolError when it is not one."""
    if isinstance(body, dict):
        return body
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise UpstreamProtocolError(
            f"{provider} sent a body that is not valid JSON", provider=provider
        ) from exc
    if not isinstance(decoded, dict):
        raise UpstreamProtocolError(f"{provider} sent a body that is not a JSON object", provider=provider)
    return decoded


def from_wire(body: bytes | dict[str, Any], provider: str = PROVIDER) -> ChatResponse:
    """Translate a non-streamed Ollama chat answer into a `ChatResponse`.

    Args:
        body: the raw 200 body, or the already decoded object.
        provider: the configured provider name, for errors.
    """
    data = decode(body, provider)
    message = data.get("message")
    if not isinstance(message, dict) or data.get("done") is False:
        raise UpstreamProtocolError(
            f"{provider} sent an answer without a finished message", provider=provider
        )
    salt = str(data.get("created_at") or "")
    calls = [tool_call_of(raw, i, salt) for i, raw in enumerate(message.get("tool_calls") or [])]
    prompt, completion = usage_of(data)
    content = message.get("content")
    return ChatResponse(
        id=response_id(),
        model=str(data.get("model") or ""),
        content=content if isinstance(content, str) and (content or not calls) else None,
        tool_calls=calls,
        finish_reason=finish_reason(data.get("done_reason"), bool(calls)),
        usage=Usage(prompt_tokens=prompt or 0, completion_tokens=completion or 0),
        created=created_of(data),
    )
