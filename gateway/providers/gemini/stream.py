"""Gemini `streamGenerateContent?alt=sse` -> canonical stream events.

Every SSE `data:` is a complete GenerateContentResponse holding only the new parts. Function calls arrive
whole, never split across chunks. The chunk that ends the stream carries `finishReason` (or, for a blocked
prompt, `promptFeedback.blockReason`), and `usageMetadata` grows as the stream goes. A stream that closes
before any finish is cut off, and an `{"error": ...}` chunk is a mid-stream failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from gateway.errors import UpstreamProtocolError
from gateway.providers.base import iter_sse
from gateway.providers.gemini import response as wire
from gateway.providers.gemini.errors import PROVIDER, error_from_object
from gateway.types import FinishEvent, FinishReason, StreamEvent, TextDelta, ToolCallDelta, Usage, UsageEvent


@dataclass
class _State:
    response_id: str = ""
    calls: int = 0
    finish: object = None
    finished: bool = False
    blocked: bool = False
    usage: Usage = field(default_factory=Usage)
    prompt_reported: bool = False


async def events(response: httpx.Response) -> AsyncIterator[StreamEvent]:
    """Yield text, tool-call, usage and (exactly one, last) finish events from a Gemini SSE stream.

    Raises:
        UpstreamProtocolError: A chunk is not JSON, or the stream ended without a finish.
        UpstreamError: The stream carried an error object (mapped by its code).
    """
    state = _State()
    async for message in iter_sse(response):
        chunk = wire.decode(message.data)
        if isinstance(chunk.get("error"), dict):
            error = chunk["error"]
            raise error_from_object(error, int(error.get("code") or 500))
        for event in _chunk_events(chunk, state):
            yield event
    if not state.finished:
        raise UpstreamProtocolError(f"{PROVIDER} stream ended before it finished", provider=PROVIDER)
    yield UsageEvent(
        prompt_tokens=state.usage.prompt_tokens,
        completion_tokens=state.usage.completion_tokens,
        cached_tokens=state.usage.cached_tokens or None,
        reasoning_tokens=state.usage.reasoning_tokens or None,
    )
    yield FinishEvent(reason=_finish(state))


def _chunk_events(chunk: wire.Json, state: _State) -> list[StreamEvent]:
    state.response_id = state.response_id or str(chunk.get("responseId") or wire.new_response_id())
    candidate = wire.first_candidate(chunk)
    out: list[StreamEvent] = []
    for part in wire.candidate_parts(candidate):
        text = wire.part_text(part)
        if text:
            out.append(TextDelta(text=text))
        elif isinstance(part.get("functionCall"), dict):
            call = wire.tool_call(part["functionCall"], state.response_id, state.calls)
            out.append(ToolCallDelta(index=state.calls, id=call.id, name=call.name, arguments=call.arguments))
            state.calls += 1
    if "usageMetadata" in chunk:
        state.usage = wire.usage(chunk["usageMetadata"])
        if not state.prompt_reported and state.usage.prompt_tokens:
            # The prompt count is known from the first chunk: report it at once, output comes at the end.
            state.prompt_reported = True
            out.append(UsageEvent(prompt_tokens=state.usage.prompt_tokens))
    if candidate.get("finishReason"):
        state.finish, state.finished = candidate["finishReason"], True
    elif not chunk.get("candidates") and (chunk.get("promptFeedback") or {}).get("blockReason"):
        state.blocked = state.finished = True
    return out


def _finish(state: _State) -> FinishReason:
    if state.blocked:
        return "content_filter"
    return wire.finish_reason(state.finish, has_calls=state.calls > 0)
