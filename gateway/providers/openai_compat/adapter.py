"""The adapter for OpenAI and every server that copies its Chat Completions API.

OpenAI-compatible vendors state only their differences, as `ProviderConfig.options`:

- `auth_header`: `"api-key"` sends `api-key: <key>` (Azure OpenAI) instead of `Authorization: Bearer <key>`.
- `api_version`: added as `?api-version=...` to every call (Azure OpenAI).
- `chat_path`: the path under `base_url`, default `/chat/completions` (Azure deployment paths differ).
- `drop_params`: comma-separated request params the vendor rejects, e.g. `"seed,metadata"`.

Kind `openai` sends `max_completion_tokens`; kind `openai_compatible` sends `max_tokens`, which far more
servers accept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec

from gateway.providers.base import ProviderConfig, build_client, map_transport_errors
from gateway.providers.openai_compat.errors import map_error
from gateway.providers.openai_compat.request import MaxTokensField, to_wire
from gateway.providers.openai_compat.response import from_wire
from gateway.providers.openai_compat.stream import events
from gateway.providers.transport import AiohttpTransport
from gateway.types import ChatRequest, ChatResponse, StreamEvent

_ENCODER = msgspec.json.Encoder()
_STREAM_ACCEPT = {"Accept": "text/event-stream"}


def _auth_headers(config: ProviderConfig) -> dict[str, str]:
    if not config.api_key:
        return {}  # keyless servers (a local vLLM) take no credential at all
    if config.options.get("auth_header", "authorization").lower() == "api-key":
        return {"api-key": config.api_key}
    return {"Authorization": f"Bearer {config.api_key}"}


def _drop_params(config: ProviderConfig) -> frozenset[str]:
    raw = config.options.get("drop_params", "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


class OpenAIProvider:
    """Chat Completions over one pooled httpx client, for kinds `openai` and `openai_compatible`."""

    def __init__(self, config: ProviderConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self._chat_path = config.options.get("chat_path", "/chat/completions")
        api_version = config.options.get("api_version")
        self._params = {"api-version": api_version} if api_version else {}
        self._max_tokens_field: MaxTokensField = (
            "max_completion_tokens" if config.kind == "openai" else "max_tokens"
        )
        self._drop = _drop_params(config)
        headers = {**_auth_headers(config), "Content-Type": "application/json", "Accept": "application/json"}
        # Non-streaming calls go straight to the aiohttp transport, past httpx's client layers; a transport
        # handed in (tests) takes every call through httpx.
        self._direct = AiohttpTransport(max_connections=config.max_connections) if transport is None else None
        self._client = build_client(config, headers, transport or self._direct)
        self._url = str(self._client.build_request("POST", self._chat_path, params=self._params).url)
        self._headers = {**headers, "User-Agent": self._client.headers.get("User-Agent", "gateway")}
        self._stream_headers = {**self._headers, **_STREAM_ACCEPT}

    def _body(self, req: ChatRequest, *, stream: bool) -> bytes:
        wire: dict[str, Any] = to_wire(
            msgspec.structs.replace(req, stream=stream),
            max_tokens_field=self._max_tokens_field,
            drop_params=self._drop,
        )
        return _ENCODER.encode(wire)

    async def complete(self, req: ChatRequest) -> ChatResponse:
        """One non-streaming completion.

        Raises:
            UpstreamError: a subclass for every HTTP, transport or protocol failure.
        """
        name = self.config.name
        body = self._body(req, stream=False)
        with map_transport_errors(name):
            if self._direct is not None:
                config = self.config
                response = await self._direct.post(
                    self._url, self._headers, body, config.connect_timeout, config.read_timeout
                )
            else:
                response = await self._client.post(self._chat_path, params=self._params, content=body)
        if isinstance(response, httpx.Response) and response.is_error:
            raise map_error(response, name)
        return from_wire(response.content, provider=name, model=req.model)

    async def stream(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Canonical events of a streaming completion; failures raise, before or after the first event."""
        name, config = self.config.name, self.config
        body = self._body(req, stream=True)
        with map_transport_errors(name):
            if self._direct is not None:  # past httpx's client layers, as `complete` does
                response = await self._direct.stream(
                    self._url, self._stream_headers, body, config.connect_timeout, config.read_timeout
                )
            else:
                request = self._client.build_request(
                    "POST", self._chat_path, params=self._params, content=body, headers=_STREAM_ACCEPT
                )
                response = await self._client.send(request, stream=True)
            try:
                if response.is_error:
                    await response.aread()
                    raise map_error(response, name)
                async for event in events(response, name):
                    yield event
            finally:
                await response.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()
