"""The real gateway on a loopback port, in front of every mock provider, with the openai SDK as client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from gateway.app import create_app
from gateway.mock.demo import PROTOCOLS, mock_app
from gateway.mock.server import MockServer
from gateway.settings import Settings
from gateway.store import db
from gateway.tenancy.keys import create_key

# provider name in the catalog -> (mock protocol, env for its base URL, URL suffix, a catalog model it serves)
PROVIDERS = {
    "openai": ("openai", "OPENAI", "/v1", "gpt-4o-mini"),
    "anthropic": ("anthropic", "ANTHROPIC", "", "claude-haiku-4-5"),
    "gemini": ("gemini", "GEMINI", "", "gemini-2.5-flash"),
    "ollama": ("ollama", "OLLAMA", "", "llama3.1-8b-local"),
    "mistral": ("openai", "MISTRAL", "/v1", "mistral-small-eu"),
}


@dataclass
class Stack:
    url: str
    key: str
    mocks: dict[str, MockServer]

    def client(self, **kwargs: object) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.url + "/v1", api_key=self.key, max_retries=0, **kwargs)  # type: ignore[arg-type]

    def arm(self, provider: str, fault: str, count: int = 1) -> None:
        protocol = PROVIDERS[provider][0]
        httpx.post(self.mocks[protocol].url + "/_mock/faults", json={"fault": fault, "count": count}).raise_for_status()

    def clear_faults(self) -> None:
        for mock in self.mocks.values():
            httpx.delete(mock.url + "/_mock/faults").raise_for_status()


async def _mint_key(database_url: str, tenant: str) -> str:
    engine = db.create_engine(database_url)
    try:
        await db.upgrade(engine)
        async with db.session_factory(engine)() as session, session.begin():
            return (await create_key(session, tenant)).key
    finally:
        await engine.dispose()


@contextmanager
def running_stack(db_dir: Path, tenant: str = "e2e-tenant", **overrides: Any) -> Iterator[Stack]:
    """Every mock provider plus the gateway on loopback ports, pointed at them through the environment."""
    mocks = {protocol: MockServer(mock_app(protocol)).start() for protocol in PROTOCOLS}
    database_url = f"sqlite+aiosqlite:///{db_dir / 'gateway.db'}"
    key = asyncio.run(_mint_key(database_url, tenant))
    patch = pytest.MonkeyPatch()
    for protocol, env, suffix, _ in PROVIDERS.values():
        patch.setenv(f"{env}_API_KEY", f"test-{env.lower()}-key")
        patch.setenv(f"{env}_BASE_URL", mocks[protocol].url + suffix)
    values: dict[str, Any] = {
        "database_url": database_url,
        "env_file": Path("/nonexistent/.env"),
        "log_level": "warning",
        **overrides,
    }
    gateway = MockServer(create_app(Settings(**values)), lifespan="on").start()
    try:
        yield Stack(gateway.url, key, mocks)
    finally:
        gateway.stop()
        patch.undo()
        for mock in mocks.values():
            mock.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(
        tmp_path_factory.mktemp("e2e"), upstream_read_timeout=2.0, max_body_bytes=64 * 1024
    ) as running:
        yield running


@pytest.fixture
def gateway_stack(stack: Stack) -> Iterator[Stack]:
    stack.clear_faults()
    yield stack
    stack.clear_faults()
