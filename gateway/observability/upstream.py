"""Upstream latency: a wrapper around each provider adapter that times its calls.

It wraps rather than edits the adapters (STYLE.md: cross-cutting behaviour wraps). A completion is timed to its
answer; a stream to its first event, the latency a client feels and the one failover decisions are made on.
Later events pass through a bound method call, without another generator frame per event.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Protocol

from gateway.errors import UpstreamError
from gateway.providers.base import Provider, ProviderConfig
from gateway.providers.registry import ProviderRegistry
from gateway.types import ChatRequest, ChatResponse, StreamEvent


class UpstreamObserver(Protocol):
    def observe_upstream(self, provider: str, model: str, outcome: str, seconds: float) -> None: ...


def _outcome(exc: BaseException) -> str:
    if isinstance(exc, UpstreamError):
        return exc.code or "upstream_error"
    return "cancelled" if not isinstance(exc, Exception) else "error"


class InstrumentedProvider:
    """A `Provider` that reports each call's latency and outcome to `metrics`."""

    def __init__(self, inner: Provider, metrics: UpstreamObserver) -> None:
        self.inner = inner
        self.config: ProviderConfig = inner.config
        self._metrics = metrics

    async def complete(self, req: ChatRequest) -> ChatResponse:
        started = time.perf_counter()
        try:
            response = await self.inner.complete(req)
        except BaseException as exc:
            self._metrics.observe_upstream(self.config.name, req.model, _outcome(exc), time.perf_counter() - started)
            raise
        self._metrics.observe_upstream(self.config.name, req.model, "ok", time.perf_counter() - started)
        return response

    def stream(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        return _TimedStream(self.inner.stream(req), self.config.name, req.model, self._metrics)

    async def aclose(self) -> None:
        await self.inner.aclose()


class _TimedStream:
    """Times `events` to its first event, then hands every call straight to the inner iterator."""

    def __init__(self, events: AsyncIterator[StreamEvent], provider: str, model: str, metrics: UpstreamObserver):
        self._events = events
        self._provider, self._model, self._metrics = provider, model, metrics
        self._started = time.perf_counter()
        self._timed = False

    def __aiter__(self) -> _TimedStream:
        return self

    async def __anext__(self) -> StreamEvent:
        if self._timed:
            return await self._events.__anext__()
        self._timed = True
        try:
            event = await self._events.__anext__()
        except StopAsyncIteration:
            self._report("ok")
            raise
        except BaseException as exc:
            self._report(_outcome(exc))
            raise
        self._report("ok")
        return event

    def _report(self, outcome: str) -> None:
        self._metrics.observe_upstream(self._provider, self._model, outcome, time.perf_counter() - self._started)

    async def aclose(self) -> None:
        aclose = getattr(self._events, "aclose", None)
        if aclose is not None:
            await aclose()


def instrument_registry(registry: ProviderRegistry, metrics: UpstreamObserver) -> None:
    """Wrap every adapter of `registry` in place (before the planner takes its candidates from it)."""
    for name, provider in list(registry.providers.items()):
        registry.providers[name] = InstrumentedProvider(provider, metrics)
