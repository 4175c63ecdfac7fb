"""/admin/ui: login with the admin key via a form, then a signed HttpOnly SameSite=Strict cookie."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from gateway.api.dashboard.session import COOKIE
from tests.conftest import ADMIN_KEY

FORM = {"content-type": "application/x-www-form-urlencoded"}


async def _login(client: httpx.AsyncClient, key: str) -> httpx.Response:
    return await client.post("/admin/ui/login", content=f"admin_key={key}", headers=FORM)


async def test_dashboard_redirects_to_login_without_session(gateway_client: httpx.AsyncClient) -> None:
    response = await gateway_client.get("/admin/ui")
    assert response.status_code == 303 and response.headers["location"] == "/admin/ui/login"


async def test_wrong_key_is_refused_without_cookie(gateway_client: httpx.AsyncClient) -> None:
    response = await _login(gateway_client, "wrong")
    assert response.status_code == 401 and COOKIE not in response.cookies


async def test_login_sets_httponly_strict_cookie_without_the_key(gateway_client: httpx.AsyncClient) -> None:
    response = await _login(gateway_client, ADMIN_KEY)
    cookie = response.headers["set-cookie"]
    assert response.status_code == 303 and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert ADMIN_KEY not in cookie and ADMIN_KEY not in response.headers["location"]


async def test_session_shows_the_dashboard(gateway_client: httpx.AsyncClient) -> None:
    await _login(gateway_client, ADMIN_KEY)
    page = await gateway_client.get("/admin/ui")
    assert page.status_code == 200 and "Providers and circuit breakers" in page.text


async def test_tampered_cookie_is_rejected(gateway_client: httpx.AsyncClient) -> None:
    await _login(gateway_client, ADMIN_KEY)
    token = gateway_client.cookies[COOKIE]
    gateway_client.cookies.clear()
    gateway_client.cookies.set(COOKIE, token[:-2] + "xx", path="/admin/ui")
    assert (await gateway_client.get("/admin/ui")).status_code == 303


async def test_logout_ends_the_session(gateway_client: httpx.AsyncClient) -> None:
    await _login(gateway_client, ADMIN_KEY)
    await gateway_client.post("/admin/ui/logout")
    assert (await gateway_client.get("/admin/ui")).status_code == 303


async def test_cache_and_audit_not_configured_without_their_routes(gateway_client: httpx.AsyncClient) -> None:
    await _login(gateway_client, ADMIN_KEY)
    page = (await gateway_client.get("/admin/ui")).text
    routes = {getattr(r, "path", "") for r in gateway_client.app.router.routes}  # type: ignore[attr-defined]
    if "/admin/cache/stats" not in routes:
        assert '<section id="cache">' in page and "not configured" in page.split('<section id="cache">')[1]
    else:
        assert "Hit rate" in page


async def test_oversized_login_form_is_refused_with_413_before_it_is_read(gateway_client: httpx.AsyncClient) -> None:
    response = await _login(gateway_client, ADMIN_KEY + "&pad=" + "x" * 9000)
    assert response.status_code == 413 and COOKIE not in response.cookies
    assert "exceeds the limit of 8192 bytes" in response.text and "<form" in response.text


async def test_oversized_chunked_login_form_is_cut_off_with_413(gateway_client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit holds while reading
        yield f"admin_key={ADMIN_KEY}&pad=".encode()
        for _ in range(10):
            yield b"x" * 1024

    response = await gateway_client.post("/admin/ui/login", content=chunks(), headers=FORM)
    assert response.status_code == 413 and COOKIE not in response.cookies
