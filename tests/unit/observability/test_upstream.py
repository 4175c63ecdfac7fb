"""InstrumentedProvider: upstream latency by provider, model and outcome."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.errors import UpstreamTimeoutError
from gateway.observability.upstream import InstrumentedProvider
from gateway.providers.base import ProviderConfig
from gateway.types import ChatRequest, ChatResponse, StreamEvent


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def observe_upstream(self, provider: str, model: str, outcome: str, seconds: float) -> None:
        assert seconds >= 0
        self.calls.append((provider, model, outcome))


class _Fake:
    config = ProviderConfig(name="fake", kind="openai", base_url="http://fake")

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.answer = object()

    async def complete(self, req: ChatRequest) -> ChatResponse:
        if self.fail:
            raise UpstreamTimeoutError("fake timed out", provider="fake")
        return self.answer  # type: ignore[return-value]

    async def stream(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        for n in range(3):
            yield n  # type: ignore[misc]

    async def aclose(self) -> None:
        return None


def _request() -> Any:
    return type("Req", (), {"model": "m-1"})()


async def test_completion_reports_ok() -> None:
    recorder = _Recorder()
    await InstrumentedProvider(_Fake(), recorder).complete(_request())
    assert recorder.calls == [("fake", "m-1", "ok")]


async def test_failed_completion_reports_its_error_code() -> None:
    recorder = _Recorder()
    with pytest.raises(UpstreamTimeoutError):
        await InstrumentedProvider(_Fake(fail=True), recorder).complete(_request())
    assert recorder.calls == [("fake", "m-1", "upstream_timeout")]


async def test_stream_reported_once_and_passes_every_event() -> None:
    recorder = _Recorder()
    events = [e async for e in InstrumentedProvider(_Fake(), recorder).stream(_request())]
    assert events == [0, 1, 2] and recorder.calls == [("fake", "m-1", "ok")]
