"""OpenAI Chat Completions SSE stream -> canonical stream events.

The stream is `data: {chat.completion.chunk}` lines ending with `data: [DONE]`. With
`stream_options.include_usage` the last chunk before `[DONE]` has empty `choices` and the usage. A stream that
closes without `[DONE]` was cut off: it is an error, never a quiet success.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from gateway.errors import UpstreamProtocolError
from gateway.providers.base import iter_sse
from gateway.providers.openai_compat.errors import map_stream_error
from gateway.providers.openai_compat.response import (
    WireChoice,
    WireCompletion,
    WireMessage,
    WireToolCall,
    decode,
    finish_reason,
    new_call_id,
    text_of,
)
from gateway.types import FinishEvent, FinishReason, StreamEvent, TextDelta, ToolCallDelta, UsageEvent

DONE = "[DONE]"


@dataclass
class _StreamState:
    """What the parser remembers across chunks: which tool calls have started, whether it has finished."""

    started_calls: set[int] = field(default_factory=set)
    finish: FinishReason | None = None


def _tool_call_delta(call: WireToolCall, position: int, state: _StreamState) -> ToolCallDelta:
    # Some servers omit `index` (one whole call per delta) or repeat id/name on every piece: normalise to the
    # contract, id and name on the first piece of each index only.
    index = call.index if call.index is not None else position
    name = call.function.name if call.function else None
    arguments = (call.function.arguments if call.function else None) or ""
    if index in state.started_calls:
        return ToolCallDelta(index=index, arguments=arguments)
    state.started_calls.add(index)
    return ToolCallDelta(index=index, id=call.id or new_call_id(), name=name or "", arguments=arguments)


def _delta_events(delta: WireMessage, state: _StreamState) -> list[StreamEvent]:
    out: list[StreamEvent] = []
    text = text_of(delta.content)
    if text:
        out.append(TextDelta(text=text))
    for position, call in enumerate(delta.tool_calls or []):
        out.append(_tool_call_delta(call, position, state))
    legacy = delta.function_call
    if legacy is not None and not delta.tool_calls:
        out.append(_tool_call_delta(WireToolCall(index=0, function=legacy), 0, state))
    return out


def _choice_events(choice: WireChoice, state: _StreamState) -> list[StreamEvent]:
    if choice.index != 0:  # the gateway asks for one choice; ignore extras rather than interleave them
        return []
    out = _delta_events(choice.delta, state) if choice.delta is not None else []
    if choice.finish_reason and state.finish is None:
        state.finish = finish_reason(choice.finish_reason)
        out.append(FinishEvent(reason=state.finish))
    return out


def _chunk_events(chunk: WireCompletion, state: _StreamState, provider: str) -> list[StreamEvent]:
    if chunk.error is not None:
        raise map_stream_error(chunk.error, provider)
    out: list[StreamEvent] = []
    for choice in chunk.choices or []:
        out.extend(_choice_events(choice, state))
    if chunk.usage is not None:
        usage = chunk.usage
        out.append(
            UsageEvent(
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                cached_tokens=usage.cached(),
                reasoning_tokens=usage.reasoning(),
            )
        )
    return out


async def events(response: httpx.Response, provider: str = "openai") -> AsyncIterator[StreamEvent]:
    """Canonical events of a 200 Chat Completions stream.

    Raises:
        UpstreamProtocolError: a chunk is not valid JSON, or the stream ends without `[DONE]`.
        UpstreamError: the server sent an `{"error": {...}}` object inside the stream (mapped by type/code).
    """
    state = _StreamState()
    async for message in iter_sse(response):
        if message.data.strip() == DONE:
            if state.finish is None:
                yield FinishEvent(reason="stop")
            return
        for event in _chunk_events(decode(message.data, provider), state, provider):
            yield event
    raise UpstreamProtocolError(f"{provider} ended the stream before [DONE]", provider=provider)
