"""A stream closed by the HTTP edge mid-way (the client left): settled as `client_disconnected`, and the upstream
stream closed in the request's own task even when a stage in between does not close what it wraps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from gateway.pipeline import Pipeline
from gateway.settle import Settlement
from gateway.streaming import StreamAccumulator
from gateway.types import FinishEvent, StreamEvent, TextDelta


class _Settler:
    def __init__(self) -> None:
        self.outcomes: list[str] = []

    def settle(self, record: Settlement) -> None:
        self.outcomes.append(record.outcome)

    async def acknowledged(self, record: Settlement) -> None:
        return None


async def test_a_stream_closed_mid_way_settles_and_closes_the_upstream() -> None:
    closed: list[str] = []

    async def upstream() -> AsyncIterator[StreamEvent]:
        try:
            yield TextDelta(text="Hallo")
            yield TextDelta(text=" Welt")
            yield FinishEvent(reason="stop")
        finally:
            closed.append("upstream")

    async def passing(events: AsyncIterator[StreamEvent]) -> AsyncIterator[StreamEvent]:
        async for event in events:  # like a stage that never closes its inner iterator
            yield event

    settler: Any = _Settler()
    none: Any = None
    pipeline = Pipeline(none, none, none, none, none, none, settler, cache=none)  # only the settler is used
    source = upstream()
    record = Settlement(request_id="r1", started=0.0)
    events = pipeline._settled_events(passing(source), StreamAccumulator("c1", "m", 0), record, source)
    assert await anext(events) == TextDelta(text="Hallo")
    await events.aclose()  # type: ignore[attr-defined]
    assert closed == ["upstream"]
    assert settler.outcomes == ["client_disconnected"]
