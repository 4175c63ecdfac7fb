"""uvicorn's httptools protocol with the two bounds it lacks on request headers.

uvicorn (0.54) has one timer, the keep-alive one. It is armed after a response and cancelled by the next byte,
so a connection that never sends anything, or sends its headers one byte at a time, is held open forever.
httptools (llhttp) also takes headers of any size and keeps them in memory: a probe sent 25 MiB of one header
and got a 200. This subclass adds:

- a **header deadline**: the request line and headers must be complete within `HEADER_READ_TIMEOUT_SECONDS`
  of the connection opening, or of the previous response ending. Otherwise the connection is closed, as
  uvicorn's keep-alive timer closes an idle one. A request being served is never cut.
- a **header size limit**: more than `MAX_HEADER_BYTES` received before the headers are complete gets a 431 in
  OpenAI's error shape, and the connection is closed.

The cost per request is one timer armed and one cancelled (uvicorn does the same for keep-alive), and a search
for the end of the headers in each chunk received while they are incomplete. `gateway serve` selects this
protocol.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.errors import GatewayError, error_json
from gateway.settings import Settings


@dataclass(frozen=True)
class HeaderLimits:
    timeout_seconds: float
    max_bytes: int


@functools.cache
def configured_limits() -> HeaderLimits:
    """The limits of this process's settings, read once (uvicorn builds one protocol per connection)."""
    settings = Settings()
    return HeaderLimits(settings.header_read_timeout_seconds, settings.max_header_bytes)


class HeaderTooLargeError(GatewayError):
    status = 431
    type = "invalid_request_error"
    code = "request_header_fields_too_large"


def _refusal(max_bytes: int) -> bytes:
    body = error_json(HeaderTooLargeError(f"The request line and headers exceed the limit of {max_bytes} bytes."))
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with a header deadline and a header size limit (see the module docstring)."""

    limits: HeaderLimits | None = None  # None: from the settings (tests set their own on a subclass)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = self.limits or configured_limits()
        self._header_deadline: asyncio.TimerHandle | None = None
        self._awaiting_headers = True
        self._header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        if self._awaiting_headers:  # counted before parsing: the parser never sees (or buffers) more than the limit
            end = data.find(b"\r\n\r\n")
            self._header_bytes += len(data) if end < 0 else end + 4
            if self._header_bytes > self._limits.max_bytes:
                self._cancel_deadline()
                self.transport.write(_refusal(self._limits.max_bytes))
                self.transport.close()
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._awaiting_headers:  # a pipelined request: its own deadline and byte count
            self._await_headers()

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._cancel_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.pipeline and not self.transport.is_closing():
            self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        self._awaiting_headers, self._header_bytes = True, 0
        self._cancel_deadline()
        self._header_deadline = self.loop.call_later(self._limits.timeout_seconds, self._headers_late)

    def _cancel_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_late(self) -> None:
        self._header_deadline = None
        serving = self.cycle is not None and not self.cycle.response_complete
        if self._awaiting_headers and not serving and not self.transport.is_closing():
            self.transport.close()
