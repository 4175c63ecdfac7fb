"""A stream closed by the HTTP edge mid-way (the client left): settled as `client_disconnected`, and the upstream
stream closed in the request's own task even when a stage in between does not close what it wraps; also when it is
closed before its first event was taken (the role chunk goes out first). Every stream is settled exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

from gateway.errors import UpstreamError
from gateway.pipeline import Pipeline
from gateway.routing.dispatch import _Prepended
from gateway.settle import Settlement
from gateway.streaming import SettledEvents, StreamAccumulator
from gateway.types import FinishEvent, StreamEvent, TextDelta


class _Settler:
    def __init__(self) -> None:
        self.outcomes: list[str] = []

    def settle(self, record: Settlement) -> None:
        self.outcomes.append(record.outcome)

    async def acknowledged(self, record: Settlement) -> None:
        return None


async def _opened(closed: list[str]) -> tuple[_Settler, SettledEvents]:
    """A stream as the pipeline gets it: the provider's stream started (its first event peeked by the
    dispatcher), behind a stage that never closes what it wraps."""

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

    settler = _Settler()
    none: Any = None
    pipeline = Pipeline(none, none, none, none, none, none, cast(Any, settler), cache=none)  # the settler only
    source = upstream()
    opened = _Prepended(await anext(source), source, _never_fails)
    record = Settlement(request_id="r1", started=0.0)
    return settler, pipeline._settled(passing(opened), StreamAccumulator("c1", "m", 0), record, opened)


async def _never_fails(exc: UpstreamError) -> None:
    raise AssertionError(f"unexpected upstream failure {exc}")


async def test_a_stream_closed_mid_way_settles_and_closes_the_upstream() -> None:
    closed: list[str] = []
    settler, events = await _opened(closed)
    assert await anext(events) == TextDelta(text="Hallo")
    await events.aclose()
    assert closed == ["upstream"]
    assert settler.outcomes == ["client_disconnected"]


async def test_a_stream_closed_before_its_first_event_settles_and_closes_the_upstream() -> None:
    closed: list[str] = []
    settler, events = await _opened(closed)
    await events.aclose()
    await events.aclose()
    assert closed == ["upstream"]
    assert settler.outcomes == ["client_disconnected"]  # once


async def test_a_stream_read_to_its_end_is_settled_once_however_often_it_is_closed() -> None:
    closed: list[str] = []
    settler, events = await _opened(closed)
    assert [event async for event in events][-1] == FinishEvent(reason="stop")
    await events.aclose()
    await events.aclose()
    assert settler.outcomes == ["ok"]
    assert closed == ["upstream"]
