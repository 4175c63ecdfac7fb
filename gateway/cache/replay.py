"""A cached answer replayed as canonical stream events, for a `stream: true` request answered from cache: the
SSE edge renders them like any provider's stream (chunks, then usage when asked for, then [DONE])."""

from __future__ import annotations

from collections.abc import AsyncIterator

from gateway.types import ChatResponse, FinishEvent, StreamEvent, TextDelta, ToolCallDelta, UsageEvent

PIECE_CHARS = 64  # several chunks rather than one, so clients that render progressively behave as usual


async def replay(response: ChatResponse) -> AsyncIterator[StreamEvent]:
    text = response.content or ""
    for start in range(0, len(text), PIECE_CHARS):
        yield TextDelta(text=text[start : start + PIECE_CHARS])
    for index, call in enumerate(response.tool_calls):
        yield ToolCallDelta(index=index, id=call.id, name=call.name, arguments=call.arguments)
    yield FinishEvent(reason=response.finish_reason)
    yield UsageEvent(
        prompt_tokens=response.usage.prompt_tokens, completion_tokens=response.usage.completion_tokens
    )
