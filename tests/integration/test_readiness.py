"""/ready reports the real state of PostgreSQL and Redis."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings


def _settings(database_url: str, redis_url: str | None) -> Settings:
    return Settings(database_url=database_url, redis_url=redis_url, demo=True, env_file=Path("/nonexistent"))


async def _get_ready(settings: Settings) -> httpx.Response:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            return await client.get("/ready")


async def test_ready_with_postgres_and_redis(postgres_url: str, redis_url: str) -> None:
    response = await _get_ready(_settings(postgres_url, redis_url))
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready"}


async def test_not_ready_when_redis_is_unreachable(postgres_url: str) -> None:
    response = await _get_ready(_settings(postgres_url, "redis://127.0.0.1:1/0"))
    assert response.status_code == 503
    assert any("redis unreachable" in reason for reason in response.json()["reasons"])


async def test_not_ready_without_providers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI", "ANTHROPIC", "GEMINI", "MISTRAL", "AZURE_OPENAI_EU"):
        monkeypatch.delenv(f"{name}_API_KEY", raising=False)
    monkeypatch.delenv("OLLAMA_BASE_URL", raising=False)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", env_file=Path("/nonexistent"))
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        response = await client.get("/ready")
    assert response.status_code == 503
    assert "no provider configured" in response.json()["reasons"][0]
