"""The Gemini Developer API adapter (`generateContent` / `streamGenerateContent`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from gateway.providers.base import ProviderConfig, build_client, map_transport_errors
from gateway.providers.gemini.errors import map_error
from gateway.providers.gemini.request import to_wire
from gateway.providers.gemini.response import from_wire
from gateway.providers.gemini.stream import events
from gateway.types import ChatRequest, ChatResponse, StreamEvent


class GeminiProvider:
    """Talks to `{base_url}/{api_version_path}/models/{model}:generateContent` with an `x-goog-api-key`.

    `config.options["api_version_path"]` selects the API version segment (default `v1beta`, where
    `responseJsonSchema`, `parametersJsonSchema` and `seed` are available).
    """

    def __init__(self, config: ProviderConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self._version = config.options.get("api_version_path", "v1beta").strip("/")
        headers = {"content-type": "application/json"}
        if config.api_key:
            headers["x-goog-api-key"] = config.api_key
        self._client = build_client(config, headers, transport)

    def _path(self, model: str, method: str) -> str:
        return f"/{self._version}/models/{model.removeprefix('models/')}:{method}"

    async def complete(self, req: ChatRequest) -> ChatResponse:
        """One non-streaming completion.

        Raises:
            UpstreamError: A subclass for every transport, HTTP or protocol failure.
        """
        with map_transport_errors(self.config.name):
            response = await self._client.post(self._path(req.model, "generateContent"), json=to_wire(req))
            if response.status_code >= 400:
                raise map_error(response)
            return from_wire(response.content, req.model)

    async def stream(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Canonical events of one streamed completion (an async generator).

        Raises:
            UpstreamError: A subclass, before or after the first event.
        """
        path = self._path(req.model, "streamGenerateContent")
        with map_transport_errors(self.config.name):
            async with self._client.stream(
                "POST", path, params={"alt": "sse"}, json=to_wire(req)
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise map_error(response)
                async for event in events(response):
                    yield event

    async def aclose(self) -> None:
        await self._client.aclose()
