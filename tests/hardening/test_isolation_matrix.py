"""Who reaches what: every route of the OpenAPI schema (plus /metrics and the dashboard) against no key, a
tenant key, another tenant's key and the admin key. A tenant key reaches the /v1 routes and nothing under
/admin; tenant-scoped data (cache entries, usage, keys, audit export) is only ever reachable by the admin."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.hardening.conftest import TwoTenants
from tests.hardening.support import CHAT, admin, bearer

OPEN_ROUTES = {("GET", "/health"), ("GET", "/ready"), ("GET", "/metrics")}
BODIES: dict[str, Any] = {
    "/v1/chat/completions": CHAT,
    "/v1/route": CHAT,
    "/v1/pii/detect": {"text": "Hallo"},
    "/admin/tenants": {"name": "made-by-matrix"},
    "/admin/keys": {"tenant_id": "{tenant_id}"},
    "/admin/audit/tenants/{tenant_id}/settings": {"retain_prompts": False},
}
EXTRA_ROUTES = [("GET", "/metrics"), ("GET", "/admin/ui"), ("POST", "/admin/ui/login")]


async def _routes(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    schema = (await client.get("/openapi.json")).json()
    routes = [(m.upper(), p) for p, ops in schema["paths"].items() for m in ops]
    return routes + EXTRA_ROUTES


def _fill(path: str, tenants: TwoTenants) -> str:
    values = {
        "tenant_id": tenants.alpha.tenant_id,
        "key_id": tenants.alpha.key_id,
        "model_id": "gpt-4o-mini",
        "subject": "subject-1",
        "name": "openai",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


async def _call(tenants: TwoTenants, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    body = BODIES.get(path)
    if isinstance(body, dict) and body.get("tenant_id") == "{tenant_id}":
        body = {"tenant_id": tenants.alpha.tenant_id}
    query = {"tenant": tenants.alpha.tenant_id} if path.endswith("/export") or "/subjects/" in path else None
    return await tenants.client.request(
        method, _fill(path, tenants), json=body, params=query, headers=headers
    )


async def test_every_route_but_health_needs_a_key(two_tenants: TwoTenants) -> None:
    opened = []
    for method, path in await _routes(two_tenants.client):
        response = await _call(two_tenants, method, path, {})
        if response.status_code not in (401, 303) and (method, path) not in OPEN_ROUTES:
            opened.append((method, path, response.status_code))
    assert opened == []


async def test_tenant_key_reaches_no_admin_route(two_tenants: TwoTenants) -> None:
    reached = []
    for method, path in await _routes(two_tenants.client):
        if not path.startswith("/admin"):
            continue
        for tenant in (two_tenants.alpha, two_tenants.beta):  # its own tenant id in the path, and another's
            response = await _call(two_tenants, method, path, bearer(tenant.key))
            if response.status_code not in (401, 403, 303):
                reached.append((method, path, response.status_code))
    assert reached == []


async def test_tenant_key_is_refused_with_admin_required(two_tenants: TwoTenants) -> None:
    response = await two_tenants.client.get("/admin/keys", headers=bearer(two_tenants.alpha.key))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "admin_required"


async def test_tenant_key_reaches_every_v1_route(two_tenants: TwoTenants) -> None:
    refused = []
    for method, path in await _routes(two_tenants.client):
        if path.startswith("/v1"):
            response = await _call(two_tenants, method, path, bearer(two_tenants.alpha.key))
            if response.status_code in (401, 403):
                refused.append((method, path, response.status_code))
    assert refused == []


async def test_admin_key_reaches_every_admin_route(two_tenants: TwoTenants) -> None:
    refused = []
    for method, path in await _routes(two_tenants.client):
        if path.startswith("/admin") and not path.startswith("/admin/ui"):
            response = await _call(two_tenants, method, path, admin())
            if response.status_code in (401, 403):
                refused.append((method, path, response.status_code))
    assert refused == []


async def test_cached_answer_of_one_tenant_is_never_served_to_another(two_tenants: TwoTenants) -> None:
    client = two_tenants.client
    request = {**CHAT, "temperature": 0, "messages": [{"role": "user", "content": "Cache me, alpha only"}]}
    first = await client.post("/v1/chat/completions", json=request, headers=bearer(two_tenants.alpha.key))
    again = await client.post("/v1/chat/completions", json=request, headers=bearer(two_tenants.alpha.key))
    other = await client.post("/v1/chat/completions", json=request, headers=bearer(two_tenants.beta.key))
    assert first.status_code == again.status_code == other.status_code == 200
    assert again.headers.get("x-gateway-cache", "").startswith("hit")  # the cache is on: a hit is possible
    assert not other.headers.get("x-gateway-cache", "").startswith("hit")


async def test_a_revoked_key_reaches_nothing(two_tenants: TwoTenants) -> None:
    client = two_tenants.client
    await client.delete(f"/admin/keys/{two_tenants.beta.key_id}", headers=admin())
    client.app.state.components.keys._cache.clear()  # type: ignore[attr-defined]  # skip the revocation delay
    response = await client.post("/v1/chat/completions", json=CHAT, headers=bearer(two_tenants.beta.key))
    assert response.status_code == 401
