"""The Ollama adapter: canonical requests over Ollama's native `POST /api/chat` (JSON and NDJSON)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from gateway.providers.base import ProviderConfig, build_client, map_transport_errors
from gateway.providers.ollama.errors import map_error
from gateway.providers.ollama.request import to_wire
from gateway.providers.ollama.response import from_wire
from gateway.providers.ollama.stream import events
from gateway.types import ChatRequest, ChatResponse, StreamEvent

CHAT_PATH = "/api/chat"


class OllamaProvider:
    """Talks to an Ollama server (local, or a hosted one behind a bearer key).

    Ollama itself needs no key, so `Authorization` is sent only when `config.api_key` is set (for Ollama's
    cloud API or a reverse proxy in front of a local server).
    """

    def __init__(self, config: ProviderConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        headers = {"accept": "application/json"}
        if config.api_key:
            headers["authorization"] = f"Bearer {config.api_key}"
        self._client = build_client(config, headers, transport)

    async def complete(self, req: ChatRequest) -> ChatResponse:
        """One non-streamed answer."""
        body = to_wire(req)
        body["stream"] = False
        with map_transport_errors(self.config.name):
            response = await self._client.post(CHAT_PATH, json=body)
            if response.status_code >= 400:
                raise map_error(response, self.config.name)
        return from_wire(response.content, self.config.name)

    async def stream(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        """The answer as canonical events; errors (also mid-stream) raise `UpstreamError` subclasses."""
        body = to_wire(req)
        body["stream"] = True
        with map_transport_errors(self.config.name):
            async with self._client.stream("POST", CHAT_PATH, json=body) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise map_error(response, self.config.name)
                async for event in events(response, self.config.name):
                    yield event

    async def aclose(self) -> None:
        await self._client.aclose()
