"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings

ADMIN_KEY = "admin-secret-for-tests"
NO_ENV_FILE = Path("/nonexistent/.env")


@pytest.fixture
def settings_factory(tmp_path: Path) -> Callable[..., Settings]:
    """Settings for an isolated gateway: its own SQLite file, demo mocks, no .env, a known admin key."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
            "demo": True,
            "env_file": NO_ENV_FILE,
            "admin_api_key": ADMIN_KEY,
            "log_level": "warning",
        }
        values.update(overrides)
        return Settings(**values)

    return make


@asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan, behind an in-process httpx client (no sockets)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def gateway_client(settings_factory: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(settings_factory()) as client:
        yield client


def admin_headers() -> dict[str, str]:
    return {"authorization": f"Bearer {ADMIN_KEY}"}
