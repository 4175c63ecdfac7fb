"""An httpx transport that does its I/O with aiohttp.

Adapters keep httpx's request/response API, while connection pooling and HTTP parsing run on aiohttp's C-accelerated
client: measured on this project's benchmark machine, httpx's default transport cost about 1.3 ms of CPU per
upstream request at concurrency 16, this transport about 0.3 ms (see docs/adr/0005-upstream-http-transport.md).
aiohttp's exceptions are mapped to httpx's, so `map_transport_errors` sees one family of errors.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx

from gateway.providers.http1 import Http1Client


@contextlib.contextmanager
def _map_aiohttp_errors() -> Iterator[None]:
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc)) from exc
    except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
        raise httpx.ReadTimeout(str(exc) or "read timed out") from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc)) from exc
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientOSError) as exc:
        raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from exc
    except aiohttp.ClientError as exc:
        raise httpx.TransportError(str(exc) or type(exc).__name__) from exc


# Both request paths: no redirects followed, no compression, and no headers of aiohttp's own (the adapter sets them).
_REQUEST_OPTIONS: dict[str, Any] = {
    "allow_redirects": False,
    "compress": None,
    "skip_auto_headers": ("Accept-Encoding", "User-Agent", "Content-Type"),
}


def _decoded(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _map_aiohttp_errors():
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        self._response.release()


@dataclass(slots=True)
class DirectResponse:
    """A successful upstream answer read whole: all a non-streaming adapter needs of it."""

    status_code: int
    content: bytes


def _streamed(response: aiohttp.ClientResponse) -> httpx.Response:
    """An httpx response whose body streams from aiohttp's."""
    return httpx.Response(
        status_code=response.status,
        headers=_decoded(response.raw_headers),
        stream=_ResponseStream(response),
        extensions={"http_version": b"HTTP/1.1"},
    )


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session (one connection pool) per transport; created lazily on the running loop."""

    def __init__(self, max_connections: int = 200, keepalive_seconds: float = 30.0) -> None:
        self._max_connections = max_connections
        self._keepalive = keepalive_seconds
        self._session: aiohttp.ClientSession | None = None
        self._http1 = Http1Client(max_connections, keepalive_seconds)  # whole-answer POSTs (`post`)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, keepalive_timeout=self._keepalive, enable_cleanup_closed=True
            )
            # No cookies, no environment proxies; httpx decodes content-encoding itself, so aiohttp must not.
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False, trust_env=False
            )
        return self._session

    async def post(
        self, url: str, headers: dict[str, str], body: bytes, connect_timeout: float, read_timeout: float
    ) -> DirectResponse | httpx.Response:
        """POST and read the whole answer, past httpx's client layers (request building, auth, redirects, event
        hooks: ~0.3 ms of CPU per call) and aiohttp's (`http1`, ADR 0015). Non-streaming adapters use it; errors
        are httpx's, as above.

        Returns:
            A plain success body (`DirectResponse`); an `httpx.Response` for an error status or an encoded
            body, which the adapters' error mapping and httpx's decoders need.
        """
        answer = await self._http1.post(url, headers, body, connect_timeout, read_timeout)
        status = answer.status
        if status < 400 and not any(name.lower() == b"content-encoding" for name, _ in answer.headers):
            return DirectResponse(status, answer.body)  # building an httpx.Response costs ~0.1 ms of CPU
        return httpx.Response(
            status_code=status,
            headers=_decoded(answer.headers),
            content=answer.body,
            request=httpx.Request("POST", url) if status >= 400 else None,  # only errors need it
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        body = request.content if request.content else None
        with _map_aiohttp_errors():
            response = await self._client().request(
                request.method,
                str(request.url),
                headers=_decoded(request.headers.raw),
                data=body,
                timeout=timeout,
                **_REQUEST_OPTIONS,
            )
        return _streamed(response)

    async def stream(
        self, url: str, headers: dict[str, str], body: bytes, connect_timeout: float, read_timeout: float
    ) -> httpx.Response:
        """POST and return at the answer's head, its body still streaming: `post`'s twin for streams, on the same
        HTTP/1.1 client (ADR 0018), past httpx's client layers (they run before the upstream even has the request).
        """
        head, streamed = await self._http1.stream(url, headers, body, connect_timeout, read_timeout)
        return httpx.Response(
            status_code=head.status,
            headers=_decoded(head.headers),
            stream=streamed,
            request=httpx.Request("POST", url) if head.status >= 400 else None,  # only errors need it
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        self._http1.close()
        if self._session is not None:
            await self._session.close()
