"""Composition root: builds every component once from settings, mounts the routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from gateway.api import admin, audit_admin, cache_admin, chat, meta, pii, providers_admin, route
from gateway.api import metrics as metrics_api
from gateway.api.dashboard import routes as dashboard
from gateway.api.fast_path import ChatFastPath, GatewayApp
from gateway.api.http_errors import install_error_handlers
from gateway.api.openai_wire import parse_chat_request
from gateway.audit.writer import AuditWriter, WriterOptions
from gateway.cache.build import build_cache
from gateway.cache.stage import ResponseCache
from gateway.catalog import Catalog, load_catalog
from gateway.collector import tune_collector
from gateway.mock.demo import DemoMocks
from gateway.observability.context import RequestContext
from gateway.observability.logging import configure_logging
from gateway.observability.metrics import GatewayMetrics
from gateway.observability.tracing import install_tracing
from gateway.observability.upstream import instrument_registry
from gateway.pipeline import Pipeline
from gateway.privacy.analyzer import Analyzer
from gateway.privacy.stage import Privacy
from gateway.providers.registry import ProviderRegistry, demo_configs, provider_configs
from gateway.routing.breaker import Breakers
from gateway.routing.build import build_dispatch
from gateway.routing.planner import Planner
from gateway.settings import Settings
from gateway.settle import Settler
from gateway.store import db
from gateway.store.state.base import BudgetCounter, RateLimiter, StateUnavailableError
from gateway.store.state.limit_state import LimitState
from gateway.store.state.memory import MemoryBudgetCounter, MemoryRateLimiter
from gateway.tenancy.keys import KeyAuthenticator
from gateway.tenancy.ledger import LedgerWriter
from gateway.tenancy.limits import Limits
from gateway.tenancy.usage_source import UsageSource

log = logging.getLogger("gateway.app")


@dataclass
class Components:
    settings: Settings
    catalog: Catalog
    engine: AsyncEngine
    registry: ProviderRegistry
    planner: Planner
    sessions: async_sessionmaker  # type: ignore[type-arg]
    keys: KeyAuthenticator
    limits: Limits
    ledger: LedgerWriter
    settler: Settler
    pipeline: Pipeline
    analyzer: Analyzer
    demo: DemoMocks | None = None
    redis: object | None = field(default=None)
    breakers: Breakers | None = None
    cache: ResponseCache | None = None
    audit: AuditWriter | None = None
    metrics: GatewayMetrics = field(default_factory=GatewayMetrics)

    async def readiness_problems(self) -> list[str]:
        problems = []
        try:
            await db.ping(self.engine)
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the reason is reported
            problems.append(f"database unreachable ({type(exc).__name__})")
        if self.redis is not None:
            try:
                await self.limits.ping()
            except StateUnavailableError:
                mode = "failing open" if self.settings.limits_fail_open else "failing closed"
                problems.append(f"redis unreachable (rate limits and budgets {mode})")
        if not self.registry.providers:
            problems.append("no provider configured (set a provider API key, or run with --demo)")
        return problems

    async def aclose(self) -> None:
        await self.settler.drain()
        if self.cache is not None:
            await self.cache.drain()  # answers and counts still being stored
        await self.ledger.stop()
        if self.audit is not None:
            await self.audit.stop()
        if self.breakers is not None:
            await self.breakers.flush()
        await self.registry.aclose()
        if self.demo is not None:
            await self.demo.stop()
        if self.redis is not None:
            await self.redis.aclose()  # type: ignore[attr-defined]
        await self.engine.dispose()


async def build_components(settings: Settings) -> Components:
    catalog = load_catalog(settings.catalog_path)
    engine = db.create_engine(settings.database_url)
    if settings.auto_migrate:
        await db.upgrade(engine)
    demo = None
    if settings.demo:
        demo = await DemoMocks.start()
        configs = demo_configs(catalog, settings, demo.urls)
        log.warning("DEMO MODE: every provider is a built-in MOCK; no real model answers", extra={"mocks": demo.urls})
    else:
        configs = provider_configs(catalog, settings)
    registry = ProviderRegistry.from_configs(configs)
    metrics = GatewayMetrics()
    instrument_registry(registry, metrics)  # upstream latency per provider call
    planner = Planner(catalog, registry)
    sessions = db.session_factory(engine)
    keys = KeyAuthenticator(sessions, settings.key_cache_seconds)
    redis, rate_limiter, budgets, limit_state = _state_backends(settings)
    limits = Limits(
        rate_limiter,
        budgets,
        UsageSource(sessions),
        fail_open=settings.limits_fail_open,
        budget_timezone=settings.budget_timezone,
        default_output_tokens=settings.default_output_tokens_estimate,
        state=limit_state,
    )
    ledger = LedgerWriter(
        sessions,
        flush_interval=settings.ledger_flush_interval_seconds,
        reconcile_every=settings.ledger_reconcile_interval_seconds,
    )
    await ledger.start()
    settler = Settler(catalog, ledger, limits, observers=[metrics])
    audit = AuditWriter(sessions, WriterOptions.from_settings(settings))
    await audit.start()
    settler.add_observer(audit)  # every request's audit record; the response waits for its commit
    breakers, dispatcher = build_dispatch(settings, redis)
    breakers.subscribe(metrics.on_transition)
    analyzer = Analyzer()  # built once: compiles patterns and loads the name and noun lexicons
    cache = build_cache(settings, catalog, redis)
    pipeline = Pipeline(
        keys, parse_chat_request, limits, Privacy(analyzer), planner, dispatcher, settler, cache=cache
    )
    log.info("gateway ready", extra={"providers": sorted(registry.providers), "database": engine.dialect.name})
    return Components(
        settings=settings,
        catalog=catalog,
        engine=engine,
        registry=registry,
        planner=planner,
        sessions=sessions,
        keys=keys,
        limits=limits,
        ledger=ledger,
        settler=settler,
        pipeline=pipeline,
        analyzer=analyzer,
        demo=demo,
        redis=redis,
        breakers=breakers,
        cache=cache,
        audit=audit,
        metrics=metrics,
    )


def _state_backends(
    settings: Settings,
) -> tuple[object | None, RateLimiter, BudgetCounter, LimitState | None]:
    """Redis when configured (many instances behave as one), else in-process state (one instance)."""
    if not settings.redis_url:
        return None, MemoryRateLimiter(), MemoryBudgetCounter(), None
    from gateway.store.state.redis_admit import RedisLimitState
    from gateway.store.state.redis_backend import RedisBudgetCounter, RedisRateLimiter, client_from_url

    client = client_from_url(settings.redis_url, multiplex=settings.redis_multiplex)
    return client, RedisRateLimiter(client), RedisBudgetCounter(client), RedisLimitState(client)


def create_app(settings: Settings | None = None) -> GatewayApp:
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        components = await build_components(settings)
        app.state.components = components
        tune_collector(settings.gc_young_threshold)
        try:
            yield
        finally:
            await components.aclose()

    app = GatewayApp(title="Enterprise AI Gateway", version="0.1.0", lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(chat.router)
    app.include_router(meta.router)
    app.include_router(admin.router)
    app.include_router(audit_admin.router)
    app.include_router(cache_admin.router)
    app.include_router(route.router)
    app.include_router(providers_admin.router)
    app.include_router(pii.router)
    app.include_router(metrics_api.router)
    app.include_router(dashboard.router)
    app.add_middleware(ChatFastPath)
    app.add_middleware(RequestContext)  # outermost: every log line of a request carries its id
    if not install_tracing(app, settings.otel_enabled):  # a traced gateway keeps one stack, spans for all
        app.hot_route = RequestContext(ChatFastPath(app.router))
    return app


def app_from_env() -> FastAPI:
    """The uvicorn factory: each worker process builds its own app from the environment."""
    return create_app(Settings())
