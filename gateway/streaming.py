"""The one accumulator that turns a stream of canonical events into the final response and usage, for settle,
cache and audit, whatever provider produced the events; and the wrapper that settles a stream however it ends."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable

import msgspec

from gateway.types import (
    ChatResponse,
    FinishEvent,
    FinishReason,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageEvent,
)


class StreamAccumulator:
    def __init__(self, response_id: str, model: str, created: int) -> None:
        self.response_id = response_id
        self.model = model
        self.created = created
        self._text: list[str] = []
        self._calls: dict[int, ToolCall] = {}
        self._arguments: dict[int, list[str]] = {}
        self.finish_reason: FinishReason | None = None
        self.usage = Usage()
        self.events = 0

    def add(self, event: StreamEvent) -> None:
        self.events += 1
        match event:
            case TextDelta(text=text):
                self._text.append(text)
            case ToolCallDelta():
                self._add_tool_delta(event)
            case FinishEvent(reason=reason):
                self.finish_reason = reason
            case UsageEvent():
                self._add_usage(event)

    def _add_usage(self, event: UsageEvent) -> None:
        for name in ("prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens"):
            value = getattr(event, name)
            if value is not None:
                setattr(self.usage, name, value)

    def _add_tool_delta(self, delta: ToolCallDelta) -> None:
        call = self._calls.get(delta.index)
        if call is None:
            call = self._calls[delta.index] = ToolCall(id=delta.id or "", name=delta.name or "", arguments="")
            self._arguments[delta.index] = []
        if delta.id:
            call.id = delta.id
        if delta.name:
            call.name = delta.name
        self._arguments[delta.index].append(delta.arguments)

    @property
    def text(self) -> str:
        return "".join(self._text)

    def response(self) -> ChatResponse:
        calls = []
        for index in sorted(self._calls):
            call = self._calls[index]
            calls.append(ToolCall(id=call.id, name=call.name, arguments="".join(self._arguments[index]) or "{}"))
        return ChatResponse(
            id=self.response_id,
            model=self.model,
            content=self.text if self._text or not calls else None,
            tool_calls=calls,
            finish_reason=self.finish_reason or "stop",
            usage=msgspec.structs.replace(self.usage),
            created=self.created,
        )


class SettledEvents:
    """An opened stream's events, settled exactly once: when they end or fail (by `run` itself), or when closed,
    also before the first event was taken. An async generator closed before it started never runs its
    `finally`, so a client that leaves right after the first byte would otherwise leave the request unsettled.

    Args:
        run: The events; it calls `end` itself once it has started (in its `finally`).
        end: Settles with an outcome; called here only for a stream closed before it started.
    """

    def __init__(self, run: AsyncGenerator[StreamEvent, None], end: Callable[[str], Awaitable[None]]) -> None:
        self._run = run
        self._end = end
        self._started = False
        self._closed = False

    def __aiter__(self) -> SettledEvents:
        return self

    def __anext__(self) -> Awaitable[StreamEvent]:
        self._started = True
        return self._run.__anext__()

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._run.aclose()  # started: runs its `finally`, which settles, unless it has ended already
        if not self._started:  # never started: its `finally` never runs
            await self._end("client_disconnected")
