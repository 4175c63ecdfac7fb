"""AiohttpTransport.post: a plain success stays a plain body; errors and encoded bodies become httpx responses."""

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
    return web.Response(body=gzip.compress(b'{"zipped":true}'), headers={"Content-Encoding": "gzip"})


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
