"""Keep-alive HTTP/1.1 POSTs: the OpenAI-compatible adapter's upstream calls, whole or streamed.

aiohttp spends about 0.2 ms of CPU per request building its request, headers, payload and response objects
(ADR 0015); a completion needs none of that. Here a request is one pre-assembled write on a pooled connection,
and httptools (the C parser uvicorn uses) parses the answer. `post` returns it whole; `stream` returns at its head,
with the body to iterate (`http1_reading`, ADR 0018).

Failures are httpx's exceptions, as the rest of the transport's: `ConnectError`, `ConnectTimeout`, `ReadTimeout`
(no byte for `read_timeout` seconds) and `RemoteProtocolError` (the connection closed mid-answer or the answer
was not HTTP). A request is never sent twice: a connection that closed while idle is not reused, and a failure
after the write is the caller's (the dispatcher's retry and failover decide).
"""

from __future__ import annotations

import asyncio
import collections
import ssl
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import httptools
import httpx

from gateway.providers.http1_reading import Answer, StreamedAnswer, StreamedBody, WholeAnswer


class _Connection(asyncio.Protocol):
    """One connection; one request at a time. Reusable when its last answer allowed keep-alive."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._reading: WholeAnswer | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._read_timeout = 0.0
        self.closed = False
        self.idle_since = 0.0

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's

    def data_received(self, data: bytes) -> None:
        if self._reading is None:  # bytes nobody asked for: the stream is out of step
            self._fail(httpx.RemoteProtocolError("unexpected data from the upstream"))
            return
        self._arm_timer()
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"invalid HTTP answer from the upstream: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        reading = self._reading
        if exc is None and reading is not None and reading.status >= 200 and not reading.framed:
            self._reading = None  # an answer with neither length nor chunks ends where the connection does
            self._finish(reading)
            return
        self._fail(httpx.RemoteProtocolError("the upstream closed the connection before answering"))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        assert self._reading is not None  # nosec B101 # type narrowing: only fed while reading
        self._reading.headers.append((name, value))
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self._reading.framed = True

    def on_headers_complete(self) -> None:
        assert self._reading is not None  # nosec B101 # type narrowing
        self._reading.status = status = self._parser.get_status_code()
        if status >= 200:
            self._reading.head()

    def on_body(self, body: bytes) -> None:
        assert self._reading is not None  # nosec B101 # type narrowing
        self._reading.part(body)

    def on_message_complete(self) -> None:
        reading = self._reading
        if reading is None:
            return
        if reading.status < 200:  # a 1xx interim answer: the real one follows
            reading.interim()
            return
        self._reading = None
        if not self._parser.should_keep_alive():
            self.close()
        self._finish(reading)

    def _finish(self, reading: WholeAnswer) -> None:
        self.idle_since = self._loop.time()
        self._stop_timer()
        reading.end()

    # the pool's side
    def send(self, data: bytes, read_timeout: float) -> asyncio.Future[Answer]:
        """Write a request; the future gets the whole answer."""
        future: asyncio.Future[Answer] = self._loop.create_future()
        self._start(WholeAnswer(future), data, read_timeout)
        return future

    def send_streaming(self, data: bytes, read_timeout: float) -> tuple[asyncio.Future[Answer], StreamedAnswer]:
        """Write a request; the future gets the answer's head, the `StreamedAnswer` its body as it comes."""
        future: asyncio.Future[Answer] = self._loop.create_future()
        answer = StreamedAnswer(future, self)
        self._start(answer, data, read_timeout)
        return future, answer

    def _start(self, reading: WholeAnswer, data: bytes, read_timeout: float) -> None:
        assert self._transport is not None and self._reading is None  # nosec B101 # the pool hands out idle ones
        self._reading = reading
        self._read_timeout = read_timeout
        self._transport.write(data)
        self._arm_timer()

    # flow control of a streamed answer (`http1_reading.Flow`, which pairs the calls): a paused socket is not
    # silence, so no timer
    def pause(self) -> None:
        if self._transport is not None and not self.closed:
            self._transport.pause_reading()
            self._stop_timer()

    def resume(self) -> None:
        if self._transport is not None and not self.closed:
            self._transport.resume_reading()
            if self._reading is not None:
                self._arm_timer()

    def close(self) -> None:
        self.closed = True
        self._stop_timer()
        if self._transport is not None:
            self._transport.close()

    def abort(self) -> None:
        """Drop the connection mid-answer (the caller gave up): its rest would be read by the next request."""
        self.closed = True
        self._stop_timer()
        self._reading = None
        if self._transport is not None:
            self._transport.abort()

    def _fail(self, exc: Exception) -> None:
        reading, self._reading = self._reading, None
        self.closed = True
        self._stop_timer()
        if self._transport is not None:
            self._transport.abort()
        if reading is not None:
            reading.fail(exc)

    def _arm_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._loop.call_later(self._read_timeout, self._timed_out)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _timed_out(self) -> None:
        self._timer = None
        self._fail(httpx.ReadTimeout("the upstream sent nothing for the read timeout"))


class Origin:
    """Pooled connections to one scheme://host:port."""

    def __init__(
        self, scheme: str, host: str, port: int, *, max_connections: int, keepalive_seconds: float
    ) -> None:
        self.host, self.port = host, port
        self._ssl: ssl.SSLContext | None = ssl.create_default_context() if scheme == "https" else None
        self._keepalive = keepalive_seconds
        self._idle: collections.deque[_Connection] = collections.deque()
        self._slots = asyncio.Semaphore(max_connections)

    async def request(self, data: bytes, connect_timeout: float, read_timeout: float) -> Answer:
        async with self._slots:
            connection = self._idle_connection() or await self._connect(connect_timeout)
            try:
                answer = await connection.send(data, read_timeout)
            except BaseException:
                connection.abort()  # cancelled or failed mid-answer: never reused
                raise
            if not connection.closed:
                self._idle.append(connection)
            return answer

    async def stream(
        self, data: bytes, connect_timeout: float, read_timeout: float
    ) -> tuple[Answer, StreamedBody]:
        """The answer's head, and its body to iterate. The connection (and its slot) is the body's until it is
        closed, then pooled again if the whole answer was read."""
        await self._slots.acquire()
        try:
            connection = self._idle_connection() or await self._connect(connect_timeout)
        except BaseException:
            self._slots.release()
            raise

        def release(reusable: bool) -> None:
            if reusable and not connection.closed:
                self._idle.append(connection)
            elif not connection.closed:
                connection.abort()
            self._slots.release()

        head, answer = connection.send_streaming(data, read_timeout)
        try:
            return await head, StreamedBody(answer, release)
        except BaseException:
            connection.abort()  # cancelled or failed before the head: never reused
            self._slots.release()
            raise

    def _idle_connection(self) -> _Connection | None:
        now = asyncio.get_running_loop().time()
        while self._idle:
            connection = self._idle.pop()  # the most recent: the least likely to have been closed by the peer
            if not connection.closed and now - connection.idle_since < self._keepalive:
                return connection
            connection.close()
        return None

    async def _connect(self, timeout: float) -> _Connection:
        loop = asyncio.get_running_loop()
        connection = _Connection(loop)
        try:
            async with asyncio.timeout(timeout):
                await loop.create_connection(
                    lambda: connection,
                    self.host,
                    self.port,
                    ssl=self._ssl,
                    server_hostname=self.host if self._ssl else None,
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"connecting to {self.host}:{self.port} timed out") from exc
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        return connection

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


@dataclass(slots=True)
class Target:
    """A URL split once: the origin's pool and the request's first lines."""

    origin: Origin
    head: bytes  # "POST /path?query HTTP/1.1\r\nHost: ...\r\n"


class Http1Client:
    """Origins by URL, created on first use (inside the running loop, as the semaphores need)."""

    def __init__(self, max_connections: int = 200, keepalive_seconds: float = 30.0) -> None:
        self._max = max_connections
        self._keepalive = keepalive_seconds
        self._origins: dict[tuple[str, str, int], Origin] = {}
        self._targets: dict[str, Target] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    async def post(
        self, url: str, headers: dict[str, str], body: bytes, connect_timeout: float, read_timeout: float
    ) -> Answer:
        target = self._target(url)
        return await target.origin.request(_request(target, headers, body), connect_timeout, read_timeout)

    async def stream(
        self, url: str, headers: dict[str, str], body: bytes, connect_timeout: float, read_timeout: float
    ) -> tuple[Answer, StreamedBody]:
        """POST and return at the answer's head (its `body` empty) with the body to iterate and close."""
        target = self._target(url)
        return await target.origin.stream(_request(target, headers, body), connect_timeout, read_timeout)

    def _target(self, url: str) -> Target:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # connections belong to one loop (tests run several)
            self.close()
            self._loop = loop
        target = self._targets.get(url)
        if target is None:
            target = self._targets[url] = self._split(url)
        return target

    def _split(self, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise httpx.UnsupportedProtocol(f"not an http(s) URL: {url}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (parts.scheme, parts.hostname, port)
        origin = self._origins.get(key)
        if origin is None:
            origin = self._origins[key] = Origin(
                *key, max_connections=self._max, keepalive_seconds=self._keepalive
            )
        default_port = port == (443 if parts.scheme == "https" else 80)
        host = parts.hostname if default_port else f"{parts.hostname}:{port}"
        if ":" in parts.hostname:  # an IPv6 literal keeps its brackets in the Host header
            host = f"[{parts.hostname}]" + ("" if default_port else f":{port}")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return Target(origin, f"POST {path} HTTP/1.1\r\nHost: {host}\r\n".encode("latin-1"))

    def close(self) -> None:
        for origin in self._origins.values():
            origin.close()
        self._origins.clear()
        self._targets.clear()


def _request(target: Target, headers: dict[str, str], body: bytes) -> bytes:
    lines = [target.head]
    for name, value in headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise httpx.LocalProtocolError(f"header {name!r} holds a line break")
        lines.append(f"{name}: {value}\r\n".encode("latin-1"))
    lines.append(b"Content-Length: %d\r\n\r\n" % len(body))
    lines.append(body)
    return b"".join(lines)
