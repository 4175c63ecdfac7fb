"""AiohttpTransport.post: a plain success stays a plain body; errors and encoded bodies become httpx responses.
AiohttpTransport.stream: an httpx response whose body streams, with its request on an error status."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web

from gateway.providers.transport import AiohttpTransport, DirectResponse


async def _answer(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    if kind == "ok":
        return web.Response(body=await request.read(), content_type="application/json")
    if kind == "limited":
        return web.Response(status=429, body=b'{"error":"slow down"}', headers={"Retry-After": "7"})
    if kind == "events":
        return await _events(request)
    return web.Response(body=gzip.compress(b'{"zipped":true}'), headers={"Content-Encoding": "gzip"})


async def _events(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    for data in (b"data: one\n\n", b"data: two\n\n", b"data: [DONE]\n\n"):
        await response.write(data)
    await response.write_eof()
    return response


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/{kind}", _answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_success_is_the_body_without_an_httpx_response(base_url: str) -> None:
    transport = AiohttpTransport()
    try:
        response = await transport.post(base_url + "/ok", {"content-type": "application/json"}, b'{"a":1}', 1, 5)
    finally:
        await transport.aclose()
    assert isinstance(response, DirectResponse)
    assert (response.status_code, response.content) == (200, b'{"a":1}')


async def test_an_error_status_is_an_httpx_response_with_its_headers(base_url: str) -> None:
    transport = AiohttpTransport()
    try:
        response = await transport.post(base_url + "/limited", {}, b"{}", 1, 5)
    finally:
        await transport.aclose()
    assert isinstance(response, httpx.Response)
    assert response.is_error and response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.request.method == "POST"


async def test_an_encoded_body_is_left_to_httpx_to_decode(base_url: str) -> None:
    transport = AiohttpTransport()
    try:
        response = await transport.post(base_url + "/zipped", {}, b"{}", 1, 5)
    finally:
        await transport.aclose()
    assert isinstance(response, httpx.Response)
    assert response.headers["content-encoding"] == "gzip"


async def test_stream_returns_at_the_head_with_the_body_to_iterate(base_url: str) -> None:
    transport = AiohttpTransport()
    try:
        response = await transport.stream(base_url + "/events", {"accept": "text/event-stream"}, b"{}", 1, 5)
        try:
            lines = [line async for line in response.aiter_lines() if line]
        finally:
            await response.aclose()
    finally:
        await transport.aclose()
    assert response.status_code == 200 and response.headers["content-type"] == "text/event-stream"
    assert lines == ["data: one", "data: two", "data: [DONE]"]


async def test_stream_error_status_is_readable_and_carries_its_request(base_url: str) -> None:
    transport = AiohttpTransport()
    try:
        response = await transport.stream(base_url + "/limited", {}, b"{}", 1, 5)
        await response.aread()
    finally:
        await transport.aclose()
    assert response.status_code == 429 and response.json() == {"error": "slow down"}
    assert response.request.method == "POST"
