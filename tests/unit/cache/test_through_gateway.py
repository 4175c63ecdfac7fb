"""The cache as a client sees it: headers, PII restored per request, billing, limits, admin routes."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from gateway.store.tables import UsageRecord
from tests.conftest import admin_headers

IBAN_A = "DE89370400440532013000"
IBAN_B = "DE02120300000000202051"


async def _tenant_key(
    client: httpx.AsyncClient, name: str = "t", **settings: object
) -> tuple[str, dict[str, str]]:
    tenant = (
        await client.post("/admin/tenants", json={"name": name, **settings}, headers=admin_headers())
    ).json()
    key = (await client.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin_headers())).json()
    return tenant["id"], {"authorization": f"Bearer {key['key']}"}


def _body(text: str = "Was kostet der Versand?", **fields: Any) -> dict[str, Any]:
    return {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": text}],
        "temperature": 0,
        **fields,
    }


async def _chat(
    client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any], **headers: str
) -> httpx.Response:
    response = await client.post("/v1/chat/completions", json=body, headers={**auth, **headers})
    assert response.status_code == 200, response.text
    return response


async def test_repeated_request_is_a_hit_with_the_same_answer(gateway_client: httpx.AsyncClient) -> None:
    _, auth = await _tenant_key(gateway_client)
    first = await _chat(gateway_client, auth, _body())
    second = await _chat(gateway_client, auth, _body())
    assert (first.headers["x-gateway-cache"], second.headers["x-gateway-cache"]) == ("miss", "hit-exact")
    assert second.json()["choices"][0]["message"] == first.json()["choices"][0]["message"]


async def test_same_prompt_of_two_tenants_never_hits_across(gateway_client: httpx.AsyncClient) -> None:
    _, auth_a = await _tenant_key(gateway_client, "a")
    _, auth_b = await _tenant_key(gateway_client, "b")
    await _chat(gateway_client, auth_a, _body())
    assert (await _chat(gateway_client, auth_b, _body())).headers["x-gateway-cache"] == "miss"


async def test_hit_is_restored_with_the_current_requests_values(gateway_client: httpx.AsyncClient) -> None:
    _, auth = await _tenant_key(gateway_client)
    await _chat(gateway_client, auth, _body(f"Ist meine IBAN {IBAN_A} korrekt?"))
    second = await _chat(gateway_client, auth, _body(f"Ist meine IBAN {IBAN_B} korrekt?"))
    content = second.json()["choices"][0]["message"]["content"]
    assert second.headers["x-gateway-cache"] == "hit-exact"
    assert IBAN_B in content and IBAN_A not in content


async def test_hit_is_billed_nothing_and_ledgered_with_tokens_saved(
    gateway_client: httpx.AsyncClient,
) -> None:
    _, auth = await _tenant_key(gateway_client)
    first = await _chat(gateway_client, auth, _body())
    await _chat(gateway_client, auth, _body())
    components = gateway_client.app.state.components  # type: ignore[attr-defined]
    await components.settler.drain()
    await components.ledger.flush()
    async with components.sessions() as session:
        rows = (await session.execute(select(UsageRecord).order_by(UsageRecord.id))).scalars().all()
    hit = rows[-1]
    assert (hit.cache_hit, hit.prompt_tokens, hit.completion_tokens, hit.cost_eur) == (True, 0, 0, 0.0)
    assert hit.saved_tokens == first.json()["usage"]["total_tokens"] and rows[-2].cache_hit is False


async def test_hit_still_counts_as_a_request_for_rate_limits(gateway_client: httpx.AsyncClient) -> None:
    _, auth = await _tenant_key(gateway_client, rate_limit_per_minute=2)
    await _chat(gateway_client, auth, _body())
    await _chat(gateway_client, auth, _body())
    refused = await gateway_client.post("/v1/chat/completions", json=_body(), headers=auth)
    assert refused.status_code == 429


async def test_tenant_with_cache_off_is_bypassed(gateway_client: httpx.AsyncClient) -> None:
    _, auth = await _tenant_key(gateway_client, cache_mode="off")
    await _chat(gateway_client, auth, _body())
    assert (await _chat(gateway_client, auth, _body())).headers["x-gateway-cache"] == "bypass"


async def test_no_store_header_bypasses(gateway_client: httpx.AsyncClient) -> None:
    _, auth = await _tenant_key(gateway_client)
    await _chat(gateway_client, auth, _body())
    response = await _chat(gateway_client, auth, _body(), **{"cache-control": "no-store"})
    assert response.headers["x-gateway-cache"] == "bypass"


async def test_body_cache_false_bypasses(gateway_client: httpx.AsyncClient) -> None:
    _, auth = await _tenant_key(gateway_client)
    await _chat(gateway_client, auth, _body())
    assert (await _chat(gateway_client, auth, _body(cache=False))).headers["x-gateway-cache"] == "bypass"


async def test_cached_answer_is_replayed_as_sse(gateway_client: httpx.AsyncClient) -> None:
    _, auth = await _tenant_key(gateway_client)
    first = await _chat(gateway_client, auth, _body())
    streamed = await _chat(gateway_client, auth, _body(stream=True, stream_options={"include_usage": True}))
    assert streamed.headers["x-gateway-cache"] == "hit-exact"
    assert streamed.headers["content-type"].startswith("text/event-stream")
    assert streamed.text.endswith("data: [DONE]\n\n")
    assert f'"total_tokens":{first.json()["usage"]["total_tokens"]}' in streamed.text


async def test_stats_report_what_happened(gateway_client: httpx.AsyncClient) -> None:
    tenant_id, auth = await _tenant_key(gateway_client)
    for _ in range(3):
        await _chat(gateway_client, auth, _body())
    await _chat(gateway_client, auth, _body(temperature=1.0))
    stats = (
        await gateway_client.get(f"/admin/cache/stats?tenant_id={tenant_id}", headers=admin_headers())
    ).json()
    tenant = stats["tenants"][0]
    assert (tenant["misses"], tenant["hits_exact"], tenant["bypass"], tenant["entries"]) == (1, 2, 1, 1)
    assert tenant["models"][0]["model"] == "gpt-4o-mini" and tenant["eur_saved"] > 0


async def test_stats_need_the_admin_key(gateway_client: httpx.AsyncClient) -> None:
    assert (await gateway_client.get("/admin/cache/stats")).status_code == 401


async def test_delete_of_a_tenant_empties_its_cache(gateway_client: httpx.AsyncClient) -> None:
    tenant_id, auth = await _tenant_key(gateway_client)
    await _chat(gateway_client, auth, _body())
    cleared = await gateway_client.delete(f"/admin/cache?tenant_id={tenant_id}", headers=admin_headers())
    assert cleared.json()["deleted"] == 1
    assert (await _chat(gateway_client, auth, _body())).headers["x-gateway-cache"] == "miss"


async def test_tenant_cache_mode_is_an_admin_setting(gateway_client: httpx.AsyncClient) -> None:
    tenant_id, _ = await _tenant_key(gateway_client)
    patched = await gateway_client.patch(
        f"/admin/tenants/{tenant_id}", json={"cache_mode": "exact+semantic"}, headers=admin_headers()
    )
    assert patched.json()["cache_mode"] == "exact+semantic"
    bad = await gateway_client.patch(
        f"/admin/tenants/{tenant_id}", json={"cache_mode": "all"}, headers=admin_headers()
    )
    assert bad.status_code == 400
