"""Run a mock app on a loopback port: in a background thread (tests) or as a task on the running loop (demo)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any, Literal, Self

import uvicorn


def _loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


Lifespan = Literal["auto", "on", "off"]


def _server(app: Any, lifespan: Lifespan = "off") -> uvicorn.Server:
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan=lifespan, timeout_graceful_shutdown=1
    )
    return uvicorn.Server(config)


class MockServer:
    """An ASGI app served on 127.0.0.1 on a free port, from a thread with its own event loop.

    Usage: `with MockServer(app) as server: httpx.get(server.url + "/...")`. Tests also serve the gateway itself
    this way, with `lifespan="on"`.
    """

    def __init__(self, app: Any, lifespan: Lifespan = "off") -> None:
        self.app = app
        self._sock = _loopback_socket()
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = _server(app, lifespan)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("mock server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._server.force_exit = True
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class BackgroundMock:
    """A mock served as a task on the caller's running loop (used by `gateway serve --demo`)."""

    def __init__(self, app: Any) -> None:
        self._sock = _loopback_socket()
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server = _server(app)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> BackgroundMock:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
        while not self._server.started:
            await asyncio.sleep(0.005)
        return self

    async def stop(self) -> None:
        self._server.should_exit = True
        if self._task is not None:
            await self._task
