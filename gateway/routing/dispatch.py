"""Send a request to its candidates in order: the next one takes over when a provider fails retryably.

A stream can fail over only until its first event: the first event is peeked before anything reaches the client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import msgspec

from gateway.errors import UpstreamError
from gateway.routing.planner import Candidate
from gateway.types import ChatRequest, ChatResponse, StreamEvent


@dataclass
class Dispatched:
    candidate: Candidate
    attempts: int


@dataclass
class OpenedStream:
    candidate: Candidate
    attempts: int
    events: AsyncIterator[StreamEvent]  # starts with the peeked first event


def _for_upstream(request: ChatRequest, candidate: Candidate) -> ChatRequest:
    return msgspec.structs.replace(request, model=candidate.model.upstream_id)


class Dispatcher:
    async def complete(self, candidates: list[Candidate], request: ChatRequest) -> tuple[ChatResponse, Dispatched]:
        last_error: UpstreamError | None = None
        for attempt, candidate in enumerate(candidates, start=1):
            try:
                response = await candidate.provider.complete(_for_upstream(request, candidate))
            except UpstreamError as exc:
                if not exc.retryable:
                    raise
                last_error = exc
                continue
            return response, Dispatched(candidate, attempt)
        assert last_error is not None, "dispatch needs at least one candidate"
        raise last_error

    async def open_stream(self, candidates: list[Candidate], request: ChatRequest) -> OpenedStream:
        last_error: UpstreamError | None = None
        for attempt, candidate in enumerate(candidates, start=1):
            events = candidate.provider.stream(_for_upstream(request, candidate))
            try:
                first = await anext(events)
            except StopAsyncIteration:
                return OpenedStream(candidate, attempt, _empty())
            except UpstreamError as exc:
                await _close(events)
                if not exc.retryable:
                    raise
                last_error = exc
                continue
            return OpenedStream(candidate, attempt, _prepend(first, events))
        assert last_error is not None, "dispatch needs at least one candidate"
        raise last_error


async def _close(events: AsyncIterator[StreamEvent]) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()


async def _empty() -> AsyncIterator[StreamEvent]:
    return
    yield  # pragma: no cover - makes this an async generator


async def _prepend(first: StreamEvent, rest: AsyncIterator[StreamEvent]) -> AsyncIterator[StreamEvent]:
    try:
        yield first
        async for event in rest:
            yield event
    finally:
        await _close(rest)
