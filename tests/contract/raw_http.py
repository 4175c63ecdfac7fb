"""A raw-socket HTTP server for client tests: the handler writes whatever bytes a test needs, broken ones too."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from gateway.providers.http1 import Http1Client

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def raw_server(handler: Handler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/raw"


@contextlib.asynccontextmanager
async def client_of(handler: Handler, max_connections: int = 200) -> AsyncIterator[tuple[Http1Client, str]]:
    """A raw server and an `Http1Client` for it, both closed at the end."""
    server, url = await raw_server(handler)
    client = Http1Client(max_connections=max_connections)
    try:
        yield client, url
    finally:
        client.close()
        server.close()
