"""OpenAI Chat Completions response body -> canonical ChatResponse.

The wire structs here are shared with the stream parser: a chunk's `delta` has the shape of a `message`.
Unknown fields are ignored and most fields are optional, because compatible servers differ in what they send.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import msgspec

from gateway.errors import UpstreamProtocolError
from gateway.providers.openai_compat.errors import WireError
from gateway.types import ChatResponse, FinishReason, ToolCall, Usage

_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",  # the legacy functions API
    "content_filter": "content_filter",
}


class WireFunction(msgspec.Struct):
    name: str | None = None
    arguments: str | None = None


class WireToolCall(msgspec.Struct):
    index: int | None = None  # stream deltas only
    id: str | None = None
    type: str | None = None
    function: WireFunction | None = None


class WireMessage(msgspec.Struct):
    """A response `message`, or a stream chunk's `delta`."""

    role: str | None = None
    # A string at OpenAI; a list of typed parts at a few compatible servers.
    content: str | list[Any] | None = None
    tool_calls: list[WireToolCall] | None = None
    function_call: WireFunction | None = None  # legacy functions API


class WireChoice(msgspec.Struct):
    index: int = 0
    message: WireMessage | None = None
    delta: WireMessage | None = None
    finish_reason: str | None = None


class WirePromptDetails(msgspec.Struct):
    cached_tokens: int | None = None


class WireCompletionDetails(msgspec.Struct):
    reasoning_tokens: int | None = None


class WireUsage(msgspec.Struct):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    prompt_tokens_details: WirePromptDetails | None = None
    completion_tokens_details: WireCompletionDetails | None = None

    def cached(self) -> int | None:
        return self.prompt_tokens_details.cached_tokens if self.prompt_tokens_details else None

    def reasoning(self) -> int | None:
        return self.completion_tokens_details.reasoning_tokens if self.completion_tokens_details else None


class WireCompletion(msgspec.Struct):
    """A `chat.completion` object or a `chat.completion.chunk`; `error` only in error bodies and streams."""

    id: str | None = None
    model: str | None = None
    created: int | None = None
    choices: list[WireChoice] | None = None
    usage: WireUsage | None = None
    error: WireError | None = None


_DECODER = msgspec.json.Decoder(WireCompletion)


def new_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


def new_call_id() -> str:
    return "call_" + secrets.token_hex(12)


def finish_reason(value: str | None) -> FinishReason:
    """OpenAI's finish reason; vendor-specific ones ("eos", "end_turn") end a normal turn."""
    return _FINISH.get(value or "stop", "stop")


def text_of(content: str | list[Any] | None) -> str | None:
    """The text of a message content, joining `{"type": "text", "text": ...}` parts when it is a list."""
    if content is None or isinstance(content, str):
        return content
    texts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
    return "".join(t for t in texts if isinstance(t, str))


def decode(data: bytes | str, provider: str) -> WireCompletion:
    """Parse one completion or chunk; anything that is not one is a protocol error."""
    try:
        return _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise UpstreamProtocolError(f"{provider} sent a malformed completion", provider=provider) from exc


def _tool_calls(message: WireMessage) -> list[ToolCall]:
    calls = []
    for call in message.tool_calls or []:
        function = call.function or WireFunction()
        calls.append(
            ToolCall(
                id=call.id or new_call_id(), name=function.name or "", arguments=function.arguments or "{}"
            )
        )
    if not calls and message.function_call is not None and message.function_call.name:
        legacy = message.function_call
        calls.append(ToolCall(id=new_call_id(), name=legacy.name or "", arguments=legacy.arguments or "{}"))
    return calls


def from_wire(body: bytes | dict[str, Any], *, provider: str = "openai", model: str = "") -> ChatResponse:
    """The canonical response for a Chat Completions body.

    Args:
        body: the raw response body, or its parsed JSON.
        provider: the configured provider name, for error attribution.
        model: the requested model, used when the body names none.

    Raises:
        UpstreamProtocolError: the body is not a completion with at least one choice and a message.
    """
    raw = msgspec.json.encode(body) if isinstance(body, dict) else body
    wire = decode(raw, provider)
    choice = wire.choices[0] if wire.choices else None
    if choice is None or choice.message is None:
        raise UpstreamProtocolError(f"{provider} sent a completion without a message", provider=provider)
    usage = wire.usage or WireUsage()
    return ChatResponse(
        id=wire.id or new_id(),
        model=wire.model or model,
        content=text_of(choice.message.content),
        tool_calls=_tool_calls(choice.message),
        finish_reason=finish_reason(choice.finish_reason),
        usage=Usage(
            prompt_tokens=usage.prompt_tokens or 0,
            completion_tokens=usage.completion_tokens or 0,
            cached_tokens=usage.cached() or 0,
            reasoning_tokens=usage.reasoning() or 0,
        ),
        created=wire.created or int(time.time()),
    )
