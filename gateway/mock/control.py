"""The pieces every mock app shares: the fault control routes and the fault behaviours that look alike."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.mock.faults import TIMEOUT_SLEEP_SECONDS, FaultSwitch


def control_routes(switch: FaultSwitch) -> list[Route]:
    """`POST /_mock/faults` arms a fault, `DELETE /_mock/faults` clears, `GET /_mock/faults` inspects."""

    async def arm(request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        try:
            switch.arm(str(body.get("fault")), int(body.get("count", 1)))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"armed": switch.queue})

    async def clear(_: Request) -> Response:
        switch.clear()
        return JSONResponse({"armed": []})

    async def inspect(_: Request) -> Response:
        return JSONResponse({"armed": switch.queue, "requests_seen": switch.requests_seen})

    return [
        Route("/_mock/faults", arm, methods=["POST"]),
        Route("/_mock/faults", clear, methods=["DELETE"]),
        Route("/_mock/faults", inspect, methods=["GET"]),
    ]


class RequestJournal:
    """Pure-ASGI middleware keeping the last request bodies a mock received, so tests can prove what left the
    gateway (`GET /_mock/requests`, newest last)."""

    def __init__(self, app: Any, size: int = 200) -> None:
        self.app = app
        self.bodies: deque[str] = deque(maxlen=size)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_mock/"):
            if scope["type"] == "http" and scope["path"] == "/_mock/requests":
                await JSONResponse({"bodies": list(self.bodies)})(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording_receive() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    self.bodies.append(b"".join(chunks).decode("utf-8", "replace"))
            return message

        await self.app(scope, recording_receive, send)


def build_app(routes: list[Route], switch: FaultSwitch) -> Starlette:
    app = Starlette(routes=[*control_routes(switch), *routes], middleware=[Middleware(RequestJournal)])
    app.state.faults = switch
    return app


async def hang() -> None:
    """The `timeout` fault: never answer within any sane read timeout."""
    await asyncio.sleep(TIMEOUT_SLEEP_SECONDS)


class ConnectionReset(Exception):
    """Raised after the response started: the server then drops the connection mid-response."""


class ResetResponse(Response):
    """The `reset` fault: promise a body, send the headers, then drop the connection."""

    def __init__(self) -> None:
        super().__init__(content=None, status_code=200, headers={"content-length": "1000"})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": b'{"partial', "more_body": True})
        raise ConnectionReset("mock fault: connection reset")


MALFORMED_BODY = b'{"id": "broken", "choices": [ this is not json'
