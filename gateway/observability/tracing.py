"""OpenTelemetry tracing, an optional extra (`pip install "enterprise-ai-gateway[otel]"`), off unless enabled.

With `OTEL_ENABLED=true` every HTTP request becomes a server span (the ASGI instrumentation), exported over OTLP/HTTP
to the collector the standard variables name (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_SERVICE_NAME`, ...). Disabled,
nothing is imported and the request path pays nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import ASGIApp

log = logging.getLogger("gateway.observability.tracing")
SERVICE_NAME = "enterprise-ai-gateway"


def tracer_provider(exporter: Any | None = None) -> Any:
    """A tracer provider exporting in batches, to `exporter` or to the OTLP/HTTP endpoint of the environment."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def install_tracing(app: Any, enabled: bool, provider: Any | None = None) -> bool:
    """Add the OpenTelemetry ASGI middleware to the FastAPI `app` when `enabled` and the extra is installed.

    Returns whether tracing is on. Metrics and health probes are not traced: they would drown the traces that matter.
    """
    if not enabled:
        return False
    try:
        import opentelemetry.instrumentation.asgi  # noqa: F401
    except ImportError:
        log.warning("OTEL_ENABLED is set but the [otel] extra is not installed; tracing stays off")
        return False
    app.add_middleware(TracingMiddleware, provider=provider or tracer_provider())
    return True


class TracingMiddleware:
    """One server span per HTTP request, except for the excluded paths."""

    def __init__(self, app: ASGIApp, provider: Any, excluded: tuple[str, ...] = ("/metrics", "/health")) -> None:
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        self.plain = app
        self.traced = OpenTelemetryMiddleware(app, tracer_provider=provider)
        self.excluded = excluded

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] in self.excluded:
            await self.plain(scope, receive, send)
            return
        await self.traced(scope, receive, send)
