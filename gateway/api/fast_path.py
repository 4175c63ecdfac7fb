"""A pure-ASGI shortcut for the hot route.

`POST /v1/chat/completions` is answered by the same endpoint function FastAPI would call, but without FastAPI's
routing, dependency solving and exception middlewares in between: on the overhead benchmark's profile those
layers were about a third of the gateway's CPU per request. The route stays registered with FastAPI, so the
OpenAPI schema documents it; every other path goes through FastAPI as usual.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.api.chat import chat_completions
from gateway.api.http_errors import error_response, request_id
from gateway.errors import GatewayError

log = logging.getLogger("gateway.errors")
CHAT_PATH = "/v1/chat/completions"


class ChatFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != CHAT_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        response: Any
        try:
            response = await chat_completions(request)
        except GatewayError as exc:
            response = error_response(request, exc)
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id(request)})
            response = error_response(request, GatewayError("The gateway hit an internal error. It has been logged."))
        await response(scope, receive, send)
