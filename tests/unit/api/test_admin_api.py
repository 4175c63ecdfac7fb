"""The admin API: tenants, keys, costs, usage; and that nothing under /admin opens without the admin key."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import admin_headers


async def _tenant(client: httpx.AsyncClient, **settings: object) -> dict:  # type: ignore[type-arg]
    response = await client.post("/admin/tenants", json={"name": "acme", **settings}, headers=admin_headers())
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _key(client: httpx.AsyncClient, tenant_id: str, **options: object) -> dict:  # type: ignore[type-arg]
    response = await client.post("/admin/keys", json={"tenant_id": tenant_id, **options}, headers=admin_headers())
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _chat(client: httpx.AsyncClient, key: str, model: str = "gpt-4o-mini") -> httpx.Response:
    return await client.post(
        "/v1/chat/completions",
        headers={"authorization": f"Bearer {key}"},
        json={"model": model, "messages": [{"role": "user", "content": "Hallo zusammen"}], "max_tokens": 50},
    )


def _admin_routes(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    """Every admin operation the app documents in its OpenAPI schema."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
        for path, operations in paths.items()
        if path.startswith("/admin")
        for method in operations
    ]


async def test_every_admin_route_refuses_without_the_admin_key(gateway_client: httpx.AsyncClient) -> None:
    routes = _admin_routes(gateway_client)
    assert len(routes) >= 10
    tenant = await _tenant(gateway_client)
    tenant_key = (await _key(gateway_client, tenant["id"]))["key"]
    for method, path in routes:
        anonymous = await gateway_client.request(method, path, json={})
        as_tenant = await gateway_client.request(method, path, json={}, headers={"authorization": f"Bearer {tenant_key}"})
        wrong = await gateway_client.request(method, path, json={}, headers={"authorization": "Bearer nope"})
        assert anonymous.status_code == 401, (method, path)
        assert as_tenant.status_code == 403, (method, path)
        assert wrong.status_code == 401, (method, path)
        assert "error" in anonymous.json()


async def test_admin_role_key_may_use_the_admin_api(gateway_client: httpx.AsyncClient) -> None:
    tenant = await _tenant(gateway_client)
    admin_key = (await _key(gateway_client, tenant["id"], role="admin"))["key"]
    response = await gateway_client.get("/admin/tenants", headers={"authorization": f"Bearer {admin_key}"})
    assert response.status_code == 200
    assert [t["name"] for t in response.json()["data"]] == ["acme"]


async def test_tenant_crud_and_validation(gateway_client: httpx.AsyncClient) -> None:
    tenant = await _tenant(gateway_client, monthly_token_budget=1000, residency="eu")
    assert tenant["monthly_token_budget"] == 1000 and tenant["residency"] == "eu"
    patched = await gateway_client.patch(
        f"/admin/tenants/{tenant['id']}", json={"rate_limit_per_minute": 5}, headers=admin_headers()
    )
    assert patched.json()["rate_limit_per_minute"] == 5
    assert patched.json()["monthly_token_budget"] == 1000  # untouched by PATCH
    duplicate = await gateway_client.post("/admin/tenants", json={"name": "acme"}, headers=admin_headers())
    assert duplicate.status_code == 400 and duplicate.json()["error"]["code"] == "tenant_exists"
    bad = await gateway_client.post(
        "/admin/tenants", json={"name": "b", "allowed_models": ["gpt-99"]}, headers=admin_headers()
    )
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "allowed_models"
    wrong_type = await gateway_client.post(
        "/admin/tenants", json={"name": "c", "rate_limit_per_minute": "many"}, headers=admin_headers()
    )
    assert wrong_type.status_code == 400 and wrong_type.json()["error"]["param"] == "rate_limit_per_minute"
    missing = await gateway_client.get("/admin/tenants/nope", headers=admin_headers())
    assert missing.status_code == 404


async def test_keys_are_listed_by_prefix_revoked_and_rotated(gateway_client: httpx.AsyncClient) -> None:
    tenant = await _tenant(gateway_client)
    created = await _key(gateway_client, tenant["id"], name="ci")
    assert (await _chat(gateway_client, created["key"])).status_code == 200
    listed = (await gateway_client.get(f"/admin/keys?tenant_id={tenant['id']}", headers=admin_headers())).json()
    assert [k["prefix"] for k in listed["data"]] == [created["key"][:12]]
    assert "key" not in listed["data"][0]
    rotated = await gateway_client.post(f"/admin/keys/{created['id']}/rotate", headers=admin_headers())
    assert rotated.status_code == 201 and rotated.json()["replaces"] == created["id"]
    gateway_client.app.state.components.keys._cache.clear()  # type: ignore[attr-defined]  # skip the 5 s window
    assert (await _chat(gateway_client, created["key"])).status_code == 401
    assert (await _chat(gateway_client, rotated.json()["key"])).status_code == 200
    revoked = await gateway_client.delete(f"/admin/keys/{rotated.json()['id']}", headers=admin_headers())
    assert revoked.json()["revoked_at"] is not None


async def test_allowed_models_and_residency_are_enforced(gateway_client: httpx.AsyncClient) -> None:
    tenant = await _tenant(gateway_client, allowed_models=["gpt-4o-mini", "mistral-small-eu"])
    key = (await _key(gateway_client, tenant["id"]))["key"]
    refused = await _chat(gateway_client, key, "claude-haiku-4-5")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "model_not_allowed"
    await gateway_client.patch(f"/admin/tenants/{tenant['id']}", json={"residency": "eu"}, headers=admin_headers())
    gateway_client.app.state.components.keys._cache.clear()  # type: ignore[attr-defined]
    us_model = await _chat(gateway_client, key, "gpt-4o-mini")
    assert us_model.status_code == 403 and us_model.json()["error"]["code"] == "residency_violation"
    assert (await _chat(gateway_client, key, "mistral-small-eu")).status_code == 200


async def test_cost_summary_matches_the_ledger_in_eur(gateway_client: httpx.AsyncClient) -> None:
    tenant = await _tenant(gateway_client, monthly_token_budget=100_000)
    key = (await _key(gateway_client, tenant["id"]))["key"]
    usages = [(await _chat(gateway_client, key)).json()["usage"] for _ in range(3)]
    summary = (await gateway_client.get("/admin/costs/summary", headers=admin_headers())).json()
    entry = summary["tenants"][0]
    catalog = gateway_client.app.state.components.catalog  # type: ignore[attr-defined]
    price = catalog.model("gpt-4o-mini").price_usd_per_1m
    prompt = sum(u["prompt_tokens"] for u in usages)
    completion = sum(u["completion_tokens"] for u in usages)
    expected = (prompt * price.input + completion * price.output) / 1e6 * catalog.exchange_rate.eur_per_usd
    assert entry["requests"] == 3
    assert (entry["prompt_tokens"], entry["completion_tokens"]) == (prompt, completion)
    assert entry["cost_eur"] == pytest.approx(expected, rel=1e-6)
    assert entry["budget_used_percent"] == pytest.approx(100 * (prompt + completion) / 100_000, abs=0.01)
    assert entry["by_model"][0]["provider"] == "openai"
    daily = (await gateway_client.get("/admin/usage", headers=admin_headers())).json()
    assert sum(d["requests"] for d in daily["data"]) == 3


async def test_bad_month_filter_is_400(gateway_client: httpx.AsyncClient) -> None:
    response = await gateway_client.get("/admin/costs/summary?month=2026-13", headers=admin_headers())
    assert response.status_code == 400 and response.json()["error"]["param"] == "month"


async def test_tenant_pii_policy_block_refuses_and_redact_is_default(gateway_client: httpx.AsyncClient) -> None:
    tenant = await _tenant(gateway_client, pii_policy={"default": "redact", "types": {"IBAN": "block"}})
    key = (await _key(gateway_client, tenant["id"]))["key"]
    blocked = await gateway_client.post(
        "/v1/chat/completions",
        headers={"authorization": f"Bearer {key}"},
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "IBAN DE89370400440532013000"}]},
    )
    assert blocked.status_code == 400
    assert blocked.json()["error"]["code"] == "pii_detected"
    assert "DE89" not in blocked.text
