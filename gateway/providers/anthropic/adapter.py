"""The Anthropic Messages API adapter: canonical requests in, canonical responses and stream events out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import msgspec

from gateway.providers.anthropic.errors import map_error
from gateway.providers.anthropic.request import WireOptions, to_wire
from gateway.providers.anthropic.response import from_wire
from gateway.providers.anthropic.stream import events
from gateway.providers.base import ProviderConfig, build_client, map_transport_errors
from gateway.types import ChatRequest, ChatResponse, StreamEvent

MESSAGES_PATH = "/v1/messages"
DEFAULT_VERSION = "2023-06-01"


class AnthropicProvider:
    """Speaks `POST {base_url}/v1/messages` with `x-api-key` and `anthropic-version` headers.

    Options read from `config.options`: `anthropic_version` (default 2023-06-01), `default_max_tokens`
    (default 4096, the API requires a limit), `structured_outputs` ("false" for models without native
    JSON-schema output).
    """

    def __init__(self, config: ProviderConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self._options = WireOptions.from_options(config.options)
        headers = {
            "anthropic-version": config.options.get("anthropic_version", DEFAULT_VERSION),
            "content-type": "application/json",
            "accept": "application/json",
        }
        if config.api_key:
            headers["x-api-key"] = config.api_key
        self._client = build_client(config, headers, transport)

    async def complete(self, req: ChatRequest) -> ChatResponse:
        """One non-streaming completion.

        Raises:
            UpstreamError: a subclass for every failure (HTTP status, transport, malformed body).
        """
        body = msgspec.json.encode(to_wire(req, self._options))
        with map_transport_errors(self.config.name):
            response = await self._client.post(MESSAGES_PATH, content=body)
        if response.status_code >= 400:
            raise map_error(response, self.config.name)
        return from_wire(response.content, self.config.name)

    async def stream(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Stream a completion as canonical events; failures raise, also after the first event.

        Raises:
            UpstreamError: a subclass for every failure, also an in-stream `error` event or a cut stream.
        """
        body = msgspec.json.encode(to_wire(req, self._options, stream=True))
        headers = {"accept": "text/event-stream"}
        with map_transport_errors(self.config.name):
            async with self._client.stream("POST", MESSAGES_PATH, content=body, headers=headers) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise map_error(response, self.config.name)
                async for event in events(response, self.config.name):
                    yield event

    async def aclose(self) -> None:
        """Close the pooled client."""
        await self._client.aclose()
