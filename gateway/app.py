"""Composition root: builds every component once from settings, mounts the routers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.api import chat, meta
from gateway.api.http_errors import install_error_handlers
from gateway.api.openai_wire import parse_chat_request
from gateway.catalog import Catalog, load_catalog
from gateway.mock.demo import DemoMocks
from gateway.observability.logging import configure_logging
from gateway.pipeline import Pipeline
from gateway.providers.registry import ProviderRegistry, demo_configs, provider_configs
from gateway.routing.dispatch import Dispatcher
from gateway.routing.planner import Planner
from gateway.settings import Settings
from gateway.settle import Settler
from gateway.store import db
from gateway.tenancy.keys import KeyAuthenticator

log = logging.getLogger("gateway.app")


@dataclass
class Components:
    settings: Settings
    catalog: Catalog
    engine: AsyncEngine
    registry: ProviderRegistry
    planner: Planner
    keys: KeyAuthenticator
    pipeline: Pipeline
    demo: DemoMocks | None = None
    redis: object | None = field(default=None)

    async def readiness_problems(self) -> list[str]:
        problems = []
        try:
            await db.ping(self.engine)
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the reason is reported
            problems.append(f"database unreachable ({type(exc).__name__})")
        if self.redis is not None:
            try:
                await self.redis.ping()  # type: ignore[attr-defined]
            except Exception as exc:  # noqa: BLE001
                problems.append(f"redis unreachable ({type(exc).__name__})")
        if not self.registry.providers:
            problems.append("no provider configured (set a provider API key, or run with --demo)")
        return problems

    async def aclose(self) -> None:
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
    planner = Planner(catalog, registry)
    keys = KeyAuthenticator(db.session_factory(engine), settings.key_cache_seconds)
    pipeline = Pipeline(keys, parse_chat_request, planner, Dispatcher(), Settler())
    redis = None
    if settings.redis_url:
        import redis.asyncio as aioredis

        redis = aioredis.from_url(settings.redis_url)
    log.info("gateway ready", extra={"providers": sorted(registry.providers), "database": engine.dialect.name})
    return Components(settings, catalog, engine, registry, planner, keys, pipeline, demo, redis)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        components = await build_components(settings)
        app.state.components = components
        try:
            yield
        finally:
            await components.aclose()

    app = FastAPI(title="Enterprise AI Gateway", version="0.1.0", lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(chat.router)
    app.include_router(meta.router)
    return app


def app_from_env() -> FastAPI:
    """The uvicorn factory: each worker process builds its own app from the environment."""
    return create_app(Settings())
