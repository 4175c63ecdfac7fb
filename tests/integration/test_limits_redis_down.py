"""When Redis is unreachable, limited tenants fail closed (503) by default, or are admitted with LIMITS_FAIL_OPEN."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from gateway.settings import Settings
from tests.conftest import admin_headers, running_gateway

UNREACHABLE = "redis://127.0.0.1:1/0"


async def _limited_key(client: httpx.AsyncClient) -> str:
    tenant = await client.post(
        "/admin/tenants", json={"name": "t", "rate_limit_per_minute": 100}, headers=admin_headers()
    )
    key = await client.post("/admin/keys", json={"tenant_id": tenant.json()["id"]}, headers=admin_headers())
    return key.json()["key"]  # type: ignore[no-any-return]


async def _chat(client: httpx.AsyncClient, key: str) -> httpx.Response:
    return await client.post(
        "/v1/chat/completions",
        headers={"authorization": f"Bearer {key}"},
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]},
    )


async def test_fail_closed_by_default(settings_factory: Callable[..., Settings]) -> None:
    async with running_gateway(settings_factory(redis_url=UNREACHABLE)) as client:
        response = await _chat(client, await _limited_key(client))
        ready = await client.get("/ready")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert ready.status_code == 503 and "failing closed" in " ".join(ready.json()["reasons"])


async def test_fail_open_admits(settings_factory: Callable[..., Settings]) -> None:
    async with running_gateway(settings_factory(redis_url=UNREACHABLE, limits_fail_open=True)) as client:
        response = await _chat(client, await _limited_key(client))
        ready = await client.get("/ready")
    assert response.status_code == 200
    assert "failing open" in " ".join(ready.json()["reasons"])
