"""The keep-alive HTTP/1.1 client of non-streaming upstream calls, against real servers (aiohttp and raw sockets)."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from gateway.providers.http1 import Http1Client
from tests.contract.raw_http import raw_server


class Upstream:
    """An aiohttp server that echoes the body and records which connection each request came on."""

    def __init__(self) -> None:
        self.connections: list[int] = []
        self.hosts: list[str] = []

    async def echo(self, request: web.Request) -> web.StreamResponse:
        self.connections.append(id(request.transport))
        self.hosts.append(request.headers["Host"])
        body = await request.read()
        if request.query.get("chunked"):
            response = web.StreamResponse()
            response.enable_chunked_encoding()
            await response.prepare(request)
            for part in (b"one,", b"two,", b"three"):
                await response.write(part)
            await response.write_eof()
            return response
        if request.query.get("slow"):
            await asyncio.sleep(float(request.query["slow"]))
        return web.Response(body=body, status=int(request.query.get("status", 200)))


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[Upstream, str]]:
    state = Upstream()
    app = web.Application()
    app.router.add_post("/echo", state.echo)
    runner = web.AppRunner(app, keepalive_timeout=0.3)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield state, f"http://127.0.0.1:{port}/echo"
    await runner.cleanup()


async def test_sequential_requests_share_one_kept_alive_connection(upstream: tuple[Upstream, str]) -> None:
    state, url = upstream
    client = Http1Client()
    try:
        for index in range(20):
            answer = await client.post(url, {"X-Test": "1"}, b"body %d" % index, 1, 5)
            assert (answer.status, answer.body) == (200, b"body %d" % index)
    finally:
        client.close()
    assert len(set(state.connections)) == 1
    assert state.hosts[0] == url.split("/")[2]  # the Host header carries the non-default port


async def test_concurrent_requests_each_get_their_own_answer(upstream: tuple[Upstream, str]) -> None:
    state, url = upstream
    client = Http1Client(max_connections=8)
    try:
        answers = await asyncio.gather(*(client.post(url, {}, b"n%d" % i, 1, 5) for i in range(100)))
    finally:
        client.close()
    assert [a.body for a in answers] == [b"n%d" % i for i in range(100)]
    assert len(set(state.connections)) <= 8


async def test_chunked_answers_and_error_statuses_are_read_whole(upstream: tuple[Upstream, str]) -> None:
    _, url = upstream
    client = Http1Client()
    try:
        chunked = await client.post(url + "?chunked=1", {}, b"", 1, 5)
        failed = await client.post(url + "?status=503", {}, b"busy", 1, 5)
    finally:
        client.close()
    assert chunked.body == b"one,two,three"
    assert (failed.status, failed.body) == (503, b"busy")


async def test_a_connection_the_server_closed_while_idle_is_not_reused(
    upstream: tuple[Upstream, str],
) -> None:
    state, url = upstream
    client = Http1Client()
    try:
        await client.post(url, {}, b"first", 1, 5)
        await asyncio.sleep(0.6)  # past the server's keep-alive of 0.3 s: it closes the connection
        answer = await client.post(url, {}, b"second", 1, 5)
    finally:
        client.close()
    assert answer.body == b"second"
    assert len(set(state.connections)) == 2


async def test_silence_past_the_read_timeout_is_a_read_timeout(upstream: tuple[Upstream, str]) -> None:
    state, url = upstream
    client = Http1Client()
    try:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(url + "?slow=1", {}, b"", 1, 0.2)
        assert (await client.post(url, {}, b"after", 1, 5)).body == b"after"
    finally:
        client.close()
    assert len(set(state.connections)) == 2  # the timed-out connection was dropped, not reused


async def test_a_cancelled_request_drops_its_connection(upstream: tuple[Upstream, str]) -> None:
    state, url = upstream
    client = Http1Client()
    try:
        pending = asyncio.ensure_future(client.post(url + "?slow=0.5", {}, b"", 1, 5))
        await asyncio.sleep(0.1)
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        assert (await client.post(url, {}, b"next", 1, 5)).body == b"next"
    finally:
        client.close()
    assert len(set(state.connections)) == 2


async def test_refused_connections_and_closed_answers_are_httpx_errors() -> None:
    async def half_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part")
        await writer.drain()
        writer.close()

    server, url = await raw_server(half_answer)
    client = Http1Client()
    try:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(url, {}, b"", 1, 5)
        server.close()
        await server.wait_closed()
        with pytest.raises(httpx.ConnectError):
            await client.post(url, {}, b"", 1, 5)
    finally:
        client.close()


async def test_an_answer_framed_by_closing_the_connection_is_read_to_the_end() -> None:
    async def close_framed(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{"whole": true}')
        await writer.drain()
        writer.close()

    server, url = await raw_server(close_framed)
    client = Http1Client()
    try:
        answer = await client.post(url, {}, b"", 1, 5)
    finally:
        client.close()
        server.close()
    assert answer.body == b'{"whole": true}'


async def test_a_header_with_a_line_break_is_refused_before_sending(upstream: tuple[Upstream, str]) -> None:
    state, url = upstream
    client = Http1Client()
    try:
        with pytest.raises(httpx.LocalProtocolError):
            await client.post(url, {"Authorization": "Bearer x\r\nX-Injected: 1"}, b"", 1, 5)
    finally:
        client.close()
    assert state.connections == []


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


async def test_https_origins_verify_the_certificate(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = certificate
    app = web.Application()
    app.router.add_post("/secure", lambda request: web.Response(body=b"over tls"))
    runner = web.AppRunner(app)
    await runner.setup()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context)
    await site.start()
    url = f"https://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/secure"  # type: ignore[union-attr]
    try:
        untrusting = Http1Client()
        with pytest.raises(httpx.ConnectError):  # not signed by a CA this machine trusts
            await untrusting.post(url, {}, b"", 1, 5)
        untrusting.close()
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the default context reads it when created
        trusting = Http1Client()
        assert (await trusting.post(url, {}, b"", 1, 5)).body == b"over tls"
        trusting.close()
    finally:
        await runner.cleanup()
