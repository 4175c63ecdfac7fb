"""What every provider adapter is, and the plumbing they share (HTTP client, transport errors, SSE/NDJSON)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from gateway.errors import (
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeoutError,
    parse_retry_after,
    upstream_error_for_status,
)
from gateway.providers.http1_reading import StreamedBody
from gateway.providers.transport import AiohttpTransport
from gateway.types import ChatRequest, ChatResponse, StreamEvent


@dataclass(frozen=True)
class ProviderConfig:
    """One configured upstream endpoint.

    `kind` names the wire protocol (openai, anthropic, gemini, ollama, openai_compatible); `options` holds the
    protocol's own settings (`anthropic_version`, `api_version`, `auth_header`), so capabilities stay data.
    """

    name: str
    kind: str
    base_url: str
    api_key: str | None = field(default=None, repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 120.0
    max_connections: int = 200
    region: str = "us"
    mock: bool = False
    options: dict[str, str] = field(default_factory=dict)


class Provider(Protocol):
    """An adapter between the canonical types and one provider's wire format.

    `req.model` is already the upstream model id. Failures raise `gateway.errors.UpstreamError` subclasses,
    also from inside `stream()` (before or after the first event).
    """

    config: ProviderConfig

    async def complete(self, req: ChatRequest) -> ChatResponse: ...

    def stream(self, req: ChatRequest) -> AsyncIterator[StreamEvent]: ...

    async def aclose(self) -> None: ...


def build_client(
    config: ProviderConfig, headers: dict[str, str], transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one pooled client of a provider, with explicit timeouts. Its I/O runs on aiohttp unless a test hands
    in another transport (see gateway/providers/transport.py for why)."""
    timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout)
    return httpx.AsyncClient(
        base_url=config.base_url.rstrip("/"),
        headers=headers,
        timeout=timeout,
        transport=transport or AiohttpTransport(max_connections=config.max_connections),
    )


@contextlib.contextmanager
def map_transport_errors(provider: str) -> Iterator[None]:
    """Convert httpx's exceptions into the gateway's upstream errors, at the one boundary where they occur."""
    try:
        yield
    except UpstreamError:
        raise
    except httpx.TimeoutException as exc:
        raise UpstreamTimeoutError(f"{provider} did not answer in time", provider=provider) from exc
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise UpstreamProtocolError(f"{provider} closed the connection unexpectedly", provider=provider) from exc
    except httpx.TransportError as exc:
        raise UpstreamError(f"{provider} could not be reached", provider=provider) from exc


def raise_for_status(response: httpx.Response, provider: str, detail: str) -> None:
    """Raise the mapped upstream error when `response` is not a success. `detail` is a safe error type/code."""
    if response.status_code < 400:
        return
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    raise upstream_error_for_status(response.status_code, provider=provider, detail=detail, retry_after=retry_after)


@dataclass
class SSEMessage:
    event: str | None
    data: str


_UTF8 = ("", "utf-8", "utf8")


def _charset(content_type: str) -> str:
    """The `charset` parameter of a Content-Type, lower-cased; "" when it has none. httpx's `charset_encoding`
    parses the header as an e-mail message, about 7 us warm on every stream."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return ""


async def body_lines(response: httpx.Response) -> AsyncIterator[str]:
    """The lines of a streamed UTF-8 body, split at LF, CRLF or CR as httpx's `aiter_lines` does.

    A plain body is split from its raw bytes: httpx's text and line decoders are four more async generator
    layers per read (about 35 us of CPU to the first line of a stream, measured in ADR 0018). A line end never
    falls inside a UTF-8 sequence, so lines are decoded whole. An encoded body, another charset or a body read
    already takes httpx's path.
    """
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    plain = encoding in ("", "identity") and _charset(response.headers.get("content-type", "")) in _UTF8
    if not plain or response.is_stream_consumed:  # (read whole already, as a test transport does)
        async for text in response.aiter_lines():
            yield text
        return
    # The gateway's own client's body is read directly: `aiter_raw`'s chunker, byte count and request context
    # (such a response has no request; only error statuses get one) are one more generator layer per read.
    stream = response.stream
    chunks: AsyncIterable[bytes]
    if isinstance(stream, StreamedBody) and not response.is_closed:
        response.is_stream_consumed = True  # as `aiter_raw` marks it
        chunks = stream
    else:
        chunks = response.aiter_raw()
    pending = b""
    async for chunk in chunks:
        pending += chunk
        lines = pending.splitlines()
        if pending.endswith(b"\n"):
            pending = b""
        else:  # an unfinished line; one ending in CR waits too, since an LF may follow in the next read
            pending = (lines.pop() if lines else b"") + (b"\r" if pending.endswith(b"\r") else b"")
        for line in lines:
            yield line.decode("utf-8", "replace")
    if chunks is stream:
        await response.aclose()  # as `aiter_raw` does at the end
    if pending:
        yield pending.rstrip(b"\r").decode("utf-8", "replace")


async def iter_sse(response: httpx.Response) -> AsyncIterator[SSEMessage]:
    """Parse a text/event-stream body into messages (event name + joined data lines), per the WHATWG spec."""
    event: str | None = None
    data: list[str] = []
    async for line in body_lines(response):
        if not line:
            if data:
                yield SSEMessage(event, "\n".join(data))
            event, data = None, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    if data:
        yield SSEMessage(event, "\n".join(data))


async def iter_ndjson_lines(response: httpx.Response) -> AsyncIterator[str]:
    """Non-empty lines of an application/x-ndjson body."""
    async for line in body_lines(response):
        if line.strip():
            yield line
