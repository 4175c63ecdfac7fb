"""DATABASE_URL as hosting platforms hand it out (Render: `postgresql://`) is used with asyncpg."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import Settings

NO_ENV = Path("/nonexistent/.env")


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_plain_postgres_url_uses_asyncpg(scheme: str) -> None:
    settings = Settings(database_url=f"{scheme}://u:p@db.internal:5432/gateway", env_file=NO_ENV)
    assert settings.database_url == "postgresql+asyncpg://u:p@db.internal:5432/gateway"


def test_sslmode_becomes_asyncpg_ssl() -> None:
    settings = Settings(database_url="postgresql://u:p@h/gateway?sslmode=require", env_file=NO_ENV)
    assert settings.database_url == "postgresql+asyncpg://u:p@h/gateway?ssl=require"


def test_explicit_driver_urls_are_kept() -> None:
    for url in ("postgresql+asyncpg://u:p@h/g", "sqlite+aiosqlite:///./gateway.db"):
        assert Settings(database_url=url, env_file=NO_ENV).database_url == url
