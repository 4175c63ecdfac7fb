"""Streamed answers of the HTTP/1.1 client (`Http1Client.stream`), against real servers: pieces arrive as the
server writes them, a connection is reused only when its answer was read to the end, a slow reader pauses the
socket instead of buffering the answer, and every failure mid-body is an httpx error from the iteration."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from gateway.providers import http1_reading
from gateway.providers.http1 import Http1Client
from gateway.providers.http1_reading import StreamedBody
from tests.contract.raw_http import client_of


class Upstream:
    def __init__(self) -> None:
        self.connections: list[int] = []
        self.second_part = asyncio.Event()

    async def parts(self, request: web.Request) -> web.StreamResponse:
        """Writes one part, waits for the test's signal, writes the next: proves the first arrived alone."""
        self.connections.append(id(request.transport))
        await request.read()
        response = web.StreamResponse(status=int(request.query.get("status", 200)))
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b"data: one\n\n")
        if request.query.get("wait"):
            await asyncio.wait_for(self.second_part.wait(), 5)
        try:
            await response.write(b"data: two\n\n")
            await response.write_eof()
        except ConnectionResetError:
            pass  # the client left mid-answer (a test's point)
        return response

    async def big(self, request: web.Request) -> web.StreamResponse:
        self.connections.append(id(request.transport))
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for index in range(64):
            await response.write(bytes([65 + index % 26]) * 32768)
        await response.write_eof()
        return response


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[Upstream, str]]:
    state = Upstream()
    app = web.Application()
    app.router.add_post("/parts", state.parts)
    app.router.add_post("/big", state.big)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield state, f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[Http1Client]:
    client = Http1Client()
    yield client
    client.close()


async def _read(body: StreamedBody) -> bytes:
    try:
        return b"".join([piece async for piece in body])
    finally:
        body.close()


async def test_pieces_arrive_as_the_server_writes_them(upstream: tuple[Upstream, str], client: Http1Client) -> None:
    state, base = upstream
    head, body = await client.stream(base + "/parts?wait=1", {"Accept": "text/event-stream"}, b"{}", 1, 5)
    assert head.status == 200 and head.body == b""
    pieces = aiter(body)
    assert await anext(pieces) == b"data: one\n\n"  # the server is still holding the second part back
    state.second_part.set()
    rest = b"".join([piece async for piece in pieces])
    body.close()
    assert rest == b"data: two\n\n"


async def test_a_stream_read_to_the_end_leaves_its_connection_for_the_next_request(
    upstream: tuple[Upstream, str], client: Http1Client
) -> None:
    state, base = upstream
    for _ in range(3):
        _, body = await client.stream(base + "/parts", {}, b"", 1, 5)
        assert await _read(body) == b"data: one\n\ndata: two\n\n"
    assert len(set(state.connections)) == 1


async def test_a_stream_left_mid_body_drops_its_connection(upstream: tuple[Upstream, str]) -> None:
    state, base = upstream
    client = Http1Client(max_connections=1)
    try:
        _, body = await client.stream(base + "/parts?wait=1", {}, b"", 1, 5)
        assert await anext(aiter(body)) == b"data: one\n\n"
        connection = body._answer._flow
        body.close()  # the client went away: the rest of this answer must not reach the next request
        assert connection.closed  # type: ignore[attr-defined]
        state.second_part.set()
        _, body = await client.stream(base + "/parts", {}, b"", 1, 5)  # its one slot was given back
        assert await _read(body) == b"data: one\n\ndata: two\n\n"
    finally:
        client.close()
    assert len(set(state.connections)) == 2


async def test_an_error_status_is_read_like_any_body(upstream: tuple[Upstream, str], client: Http1Client) -> None:
    _, base = upstream
    head, body = await client.stream(base + "/parts?status=429", {}, b"", 1, 5)
    assert head.status == 429
    assert await _read(body) == b"data: one\n\ndata: two\n\n"


async def test_a_slow_reader_pauses_the_socket_instead_of_buffering_the_answer(
    upstream: tuple[Upstream, str], client: Http1Client) -> None:
    _, base = upstream
    _, body = await client.stream(base + "/big", {}, b"", 1, 5)
    answer = body._answer
    received, most_queued = [], 0
    async for piece in body:
        received.append(piece)
        await asyncio.sleep(0.002)  # a slow client
        most_queued = max(most_queued, answer.queued)
    body.close()
    assert b"".join(received) == b"".join(bytes([65 + i % 26]) * 32768 for i in range(64))
    # reading pauses past the high-water mark; one socket read more may already be on its way
    assert most_queued < http1_reading.HIGH_WATER + 256 * 1024


async def test_silence_mid_body_is_a_read_timeout_and_a_cut_body_a_protocol_error() -> None:
    async def stalls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
        await writer.drain()
        await asyncio.sleep(1)
        writer.close()

    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
        await writer.drain()
        writer.close()

    for handler, error in ((stalls, httpx.ReadTimeout), (cut, httpx.RemoteProtocolError)):
        async with client_of(handler) as (client, url):
            _, body = await client.stream(url, {}, b"", 1, 0.3)
            pieces = aiter(body)
            assert await anext(pieces) == b"first"
            with pytest.raises(error):
                await anext(pieces)
            body.close()


async def test_an_answer_framed_by_closing_the_connection_streams_to_its_end() -> None:
    async def close_framed(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\ndata: one\n\n")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"data: two\n\n")
        writer.close()

    async with client_of(close_framed) as (client, url):
        _, body = await client.stream(url, {}, b"", 1, 5)
        assert await _read(body) == b"data: one\n\ndata: two\n\n"


async def test_a_stream_cancelled_before_its_head_gives_back_its_slot(upstream: tuple[Upstream, str]) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(5)

    async with client_of(silent, max_connections=1) as (client, url):
        pending = asyncio.ensure_future(client.stream(url, {}, b"", 1, 5))
        await asyncio.sleep(0.1)
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        _, base = upstream
        _, body = await asyncio.wait_for(client.stream(base + "/parts", {}, b"", 1, 5), 2)
        assert await _read(body) == b"data: one\n\ndata: two\n\n"


async def test_a_body_dropped_without_closing_gives_back_its_slot(upstream: tuple[Upstream, str]) -> None:
    _, base = upstream
    client = Http1Client(max_connections=1)
    try:
        _, body = await client.stream(base + "/parts", {}, b"", 1, 5)
        del body  # never iterated, never closed
        _, body = await asyncio.wait_for(client.stream(base + "/parts", {}, b"", 1, 5), 2)
        assert await _read(body) == b"data: one\n\ndata: two\n\n"
    finally:
        client.close()
