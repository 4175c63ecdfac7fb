"""A pure-ASGI shortcut for the hot route.

`POST /v1/chat/completions` is answered by the same endpoint function FastAPI would call, but without FastAPI's
routing, dependency solving and exception middlewares in between: on the overhead benchmark's profile those
layers were about a third of the gateway's CPU per request. The route stays registered with FastAPI, so the
OpenAPI schema documents it; every other path goes through FastAPI as usual.

`GatewayApp` goes one step further: it hands the hot route to its own short stack (`hot_route`) before FastAPI's
outer layers (error, telemetry and body-limit middlewares; 5 to 8% of a passthrough request's CPU in
bench/profile_full.py), which the fast path does not need: it answers every error itself.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
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


class GatewayApp(FastAPI):
    """FastAPI, with `POST /v1/chat/completions` sent to `hot_route` (when set) ahead of FastAPI's own layers."""

    hot_route: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hot = self.hot_route
        if hot is not None and scope["type"] == "http" and scope["path"] == CHAT_PATH and scope["method"] == "POST":
            scope["app"] = self  # as Starlette sets it: the endpoint reads app.state through the request
            await hot(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
