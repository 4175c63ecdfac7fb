"""OpenTelemetry tracing: off unless enabled; when on, one server span per request (but not for /metrics)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.app import create_app
from gateway.observability.tracing import TracingMiddleware, install_tracing
from gateway.settings import Settings


def test_tracing_off_by_default(settings_factory: Callable[..., Settings]) -> None:
    app = create_app(settings_factory())
    assert all(m.cls is not TracingMiddleware for m in app.user_middleware)


async def test_enabled_tracing_records_request_spans(settings_factory: Callable[..., Settings]) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(settings_factory())
    assert install_tracing(app, True, provider)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            await client.get("/v1/models", headers={"authorization": "Bearer nope"})
            await client.get("/metrics")
    names = [span.name for span in exporter.get_finished_spans()]
    assert any("/v1/models" in name for name in names)
    assert not any("/metrics" in name for name in names)


async def test_a_traced_gateway_traces_chat_completions_too(
    settings_factory: Callable[..., Settings],
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(settings_factory())
    assert install_tracing(app, True, provider)
    app.hot_route = (
        None  # what create_app does when it installs tracing itself: one stack, every route traced
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            response = await client.post(
                "/v1/chat/completions", json={}, headers={"authorization": "Bearer no"}
            )
    assert response.status_code == 401
    assert any("/v1/chat/completions" in span.name for span in exporter.get_finished_spans())


def test_create_app_keeps_one_stack_when_tracing_is_on(settings_factory: Callable[..., Settings]) -> None:
    assert create_app(settings_factory()).hot_route is not None
    assert create_app(settings_factory(otel_enabled=True)).hot_route is None
