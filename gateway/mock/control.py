"""The pieces every mock app shares: the fault control routes and the fault behaviours that look alike."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
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


def build_app(routes: list[Route], switch: FaultSwitch) -> Starlette:
    app = Starlette(routes=[*control_routes(switch), *routes])
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
