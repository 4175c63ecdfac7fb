"""Anthropic Messages API response -> canonical `ChatResponse`."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import msgspec

from gateway.errors import UpstreamProtocolError
from gateway.providers.anthropic.errors import PROVIDER
from gateway.types import ChatResponse, FinishReason, ToolCall, Usage

FINISH_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",  # a server-tool turn paused; nothing is cut, the caller may continue it
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def finish_reason(stop_reason: str | None) -> FinishReason:
    """OpenAI's finish reason for an Anthropic `stop_reason` (unknown future values count as `stop`)."""
    return FINISH_REASONS.get(stop_reason or "", "stop")


def usage_of(usage: dict[str, Any]) -> tuple[int | None, int | None]:
    """(prompt, completion) tokens of an Anthropic usage object; None where a count is absent.

    The documented total input is `input_tokens` plus both prompt-cache counts.
    """
    prompt: int | None = None
    if isinstance(usage.get("input_tokens"), int):
        prompt = usage["input_tokens"]
        prompt += sum(
            int(usage.get(k) or 0) for k in ("cache_creation_input_tokens", "cache_read_input_tokens")
        )
    completion = usage.get("output_tokens")
    return prompt, completion if isinstance(completion, int) else None


def from_wire(body: bytes | dict[str, Any], provider: str = PROVIDER) -> ChatResponse:
    """Translate an Anthropic `message` object into a `ChatResponse`.

    Args:
        body: the raw 200 body, or the already decoded object.
        provider: the configured provider name, for errors.

    Raises:
        UpstreamProtocolError: the body is not JSON or not a message object.
    """
    data = _decode(body, provider)
    content = data.get("content")
    if data.get("type") != "message" or not isinstance(content, list):
        raise UpstreamProtocolError(f"{provider} returned an unexpected response shape", provider=provider)
    texts = [b.get("text") or "" for b in content if isinstance(b, dict) and b.get("type") == "text"]
    calls = [_tool_call(b) for b in content if isinstance(b, dict) and b.get("type") == "tool_use"]
    raw_usage = data.get("usage") or {}
    prompt, completion = usage_of(raw_usage)
    return ChatResponse(
        id=str(data.get("id") or "") or "chatcmpl-" + secrets.token_hex(12),
        model=str(data.get("model") or ""),
        content="".join(texts) if texts else None,
        tool_calls=calls,
        finish_reason=finish_reason(data.get("stop_reason")),
        usage=Usage(
            prompt_tokens=prompt or 0,
            completion_tokens=completion or 0,
            cached_tokens=int(raw_usage.get("cache_read_input_tokens") or 0),
        ),
        created=int(time.time()),
    )


def _decode(body: bytes | dict[str, Any], provider: str) -> dict[str, Any]:
    if isinstance(body, dict):
        return body
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise UpstreamProtocolError(
            f"{provider} returned a body that is not JSON", provider=provider
        ) from exc
    if not isinstance(data, dict):
        raise UpstreamProtocolError(f"{provider} returned an unexpected response shape", provider=provider)
    return data


def _tool_call(block: dict[str, Any]) -> ToolCall:
    return ToolCall(
        id=str(block.get("id") or ""),
        name=str(block.get("name") or ""),
        arguments=json.dumps(block.get("input") or {}, separators=(",", ":")),
    )
