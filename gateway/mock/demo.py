"""`gateway serve --demo`: every mock protocol served on loopback inside the gateway process."""

from __future__ import annotations

import importlib

from gateway.mock.server import BackgroundMock

PROTOCOLS = ("openai", "anthropic", "gemini", "ollama")


def mock_app(protocol: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"gateway.mock.{protocol}").create_app()


class DemoMocks:
    def __init__(self, servers: dict[str, BackgroundMock]) -> None:
        self._servers = servers
        self.urls = {name: server.url for name, server in servers.items()}

    @classmethod
    async def start(cls) -> DemoMocks:
        servers = {}
        for protocol in PROTOCOLS:
            servers[protocol] = await BackgroundMock(mock_app(protocol)).start()
        return cls(servers)

    async def stop(self) -> None:
        for server in self._servers.values():
            await server.stop()
