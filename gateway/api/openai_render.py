"""Canonical types → OpenAI chat-completions JSON and SSE chunks: the render half of the HTTP edge."""

from __future__ import annotations

from typing import Any

import msgspec

from gateway.errors import GatewayError
from gateway.types import ChatResponse, FinishEvent, StreamEvent, TextDelta, ToolCallDelta, Usage, UsageEvent

_encode = msgspec.json.Encoder().encode
DONE = b"data: [DONE]\n\n"


def _usage(usage: Usage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }
    if usage.cached_tokens:
        out["prompt_tokens_details"] = {"cached_tokens": usage.cached_tokens}
    if usage.reasoning_tokens:
        out["completion_tokens_details"] = {"reasoning_tokens": usage.reasoning_tokens}
    return out


def render_response(response: ChatResponse) -> bytes:
    message: dict[str, Any] = {"role": "assistant", "content": response.content, "refusal": None}
    if response.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in response.tool_calls
        ]
    return _encode(
        {
            "id": response.id,
            "object": "chat.completion",
            "created": response.created,
            "model": response.model,
            "choices": [
                {"index": 0, "message": message, "finish_reason": response.finish_reason, "logprobs": None}
            ],
            "usage": _usage(response.usage),
        }
    )


class ChunkRenderer:
    """Renders one stream's events as `chat.completion.chunk` SSE messages."""

    def __init__(self, response_id: str, model: str, created: int, include_usage: bool) -> None:
        self._head = {"id": response_id, "object": "chat.completion.chunk", "created": created, "model": model}
        self._include_usage = include_usage
        self._usage = Usage()

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return b"data: " + _encode({**self._head, "choices": [choice]}) + b"\n\n"

    def start(self) -> bytes:
        return self._chunk({"role": "assistant", "content": ""})

    def event(self, event: StreamEvent) -> bytes | None:
        """The SSE bytes for `event`, or None when it only updates state (usage)."""
        match event:
            case TextDelta(text=text):
                return self._chunk({"content": text}) if text else None
            case ToolCallDelta():
                return self._chunk({"tool_calls": [self._tool_delta(event)]})
            case FinishEvent(reason=reason):
                return self._chunk({}, finish_reason=reason)
            case UsageEvent():
                for name in ("prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens"):
                    value = getattr(event, name)
                    if value is not None:
                        setattr(self._usage, name, value)
                return None

    @staticmethod
    def _tool_delta(delta: ToolCallDelta) -> dict[str, Any]:
        function: dict[str, str] = {"arguments": delta.arguments}
        item: dict[str, Any] = {"index": delta.index, "function": function}
        if delta.id:
            item["id"] = delta.id
            item["type"] = "function"
        if delta.name:
            function["name"] = delta.name
        return item

    def end(self) -> bytes:
        """The closing bytes: the usage chunk when asked for, then [DONE]."""
        if not self._include_usage:
            return DONE
        usage = {**self._head, "choices": [], "usage": _usage(self._usage)}
        return b"data: " + _encode(usage) + b"\n\n" + DONE

    @staticmethod
    def error(error: GatewayError) -> bytes:
        """An in-band error after the first byte: the OpenAI SDKs raise on a data message carrying `error`."""
        return b"data: " + _encode(error.body()) + b"\n\n" + DONE
