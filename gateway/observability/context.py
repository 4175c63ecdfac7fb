"""The request id of the request being served, for every log line it causes.

A pure-ASGI middleware (no `BaseHTTPMiddleware`: it must stay cheap on the measured hot path) picks the id once,
the client's `x-request-id` when it is sane, else a new one. It stores the id where `api.http_errors.request_id`
finds it (`request.state.request_id`), sets a context variable the JSON log formatter reads, and adds the
`x-request-id` header to responses that do not carry it yet. Tasks started while serving a request (a stream
body, a background settle) copy the context, so their log lines carry the id too.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: ContextVar[str | None] = ContextVar("gateway_request_id", default=None)
_HEADER = b"x-request-id"


def current_request_id() -> str | None:
    return REQUEST_ID.get()


def pick_request_id(sent: str) -> str:
    """The client's id when it is printable and at most 128 characters, else a fresh `req_...` id."""
    return sent if 0 < len(sent) <= 128 and sent.isprintable() else "req_" + secrets.token_hex(12)


def _sent_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == _HEADER:
            return bytes(value).decode("latin-1")
    return ""


class RequestContext:
    """Binds a request id to each HTTP request and echoes it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = pick_request_id(_sent_id(scope))
        scope.setdefault("state", {})["request_id"] = rid
        token = REQUEST_ID.set(rid)
        encoded = rid.encode("latin-1", "replace")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                if not any(name.lower() == _HEADER for name, _ in headers):
                    message["headers"] = [*headers, (_HEADER, encoded)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
