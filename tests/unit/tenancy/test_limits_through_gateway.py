"""Rate limits and monthly budgets as a client sees them, with the openai SDK (embedded default state)."""

from __future__ import annotations

import httpx
import openai
import pytest

from tests.conftest import admin_headers


async def _tenant_key(client: httpx.AsyncClient, **settings: object) -> str:
    tenant = (await client.post("/admin/tenants", json={"name": "t", **settings}, headers=admin_headers())).json()
    key = await client.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin_headers())
    return key.json()["key"]  # type: ignore[no-any-return]


def _sdk(client: httpx.AsyncClient, key: str, retries: int = 0) -> openai.AsyncOpenAI:
    http = httpx.AsyncClient(transport=client._transport, base_url="http://gateway")
    return openai.AsyncOpenAI(base_url="http://gateway/v1", api_key=key, http_client=http, max_retries=retries)


async def _ask(sdk: openai.AsyncOpenAI, text: str = "Kurze Frage") -> object:
    return await sdk.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], max_tokens=50
    )


async def test_budget_refusal_is_final_429_with_code(gateway_client: httpx.AsyncClient) -> None:
    sdk = _sdk(gateway_client, await _tenant_key(gateway_client, monthly_token_budget=300), retries=2)
    answered = 0
    with pytest.raises(openai.RateLimitError) as info:
        for i in range(100):
            await _ask(sdk, f"Kurze Frage Nummer {i}")  # distinct prompts: no cache hit, every answer is billed
            answered += 1
    assert info.value.code == "monthly_token_budget_exceeded"
    assert info.value.response.headers["x-should-retry"] == "false"
    assert 1 <= answered < 100
    summary = (await gateway_client.get("/admin/costs/summary", headers=admin_headers())).json()
    billed = summary["tenants"][0]["total_tokens"]
    assert billed <= 300


async def test_budget_of_zero_refuses_the_first_request(gateway_client: httpx.AsyncClient) -> None:
    sdk = _sdk(gateway_client, await _tenant_key(gateway_client, monthly_token_budget=0))
    with pytest.raises(openai.RateLimitError) as info:
        await _ask(sdk)
    assert info.value.code == "monthly_token_budget_exceeded"


async def test_rate_limit_admits_the_configured_count_then_429(gateway_client: httpx.AsyncClient) -> None:
    sdk = _sdk(gateway_client, await _tenant_key(gateway_client, rate_limit_per_minute=3))
    raw = await sdk.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
    )
    assert raw.headers["x-ratelimit-limit-requests"] == "3"
    assert raw.headers["x-ratelimit-remaining-requests"] == "2"
    await _ask(sdk)
    await _ask(sdk)
    with pytest.raises(openai.RateLimitError) as info:
        await _ask(sdk)
    assert info.value.code == "rate_limit_exceeded"
    assert int(info.value.response.headers["retry-after"]) >= 1
    assert info.value.response.headers["x-ratelimit-remaining-requests"] == "0"


async def test_tokens_per_minute_limit_counts_estimated_tokens(gateway_client: httpx.AsyncClient) -> None:
    sdk = _sdk(gateway_client, await _tenant_key(gateway_client, tokens_per_minute=100))
    await _ask(sdk)  # ~60 estimated tokens, settles to the real (smaller) usage
    with pytest.raises(openai.RateLimitError) as info:
        await sdk.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], max_tokens=500
        )
    assert info.value.code == "rate_limit_exceeded"


async def test_streamed_requests_are_billed_like_non_streamed(gateway_client: httpx.AsyncClient) -> None:
    sdk = _sdk(gateway_client, await _tenant_key(gateway_client))
    messages = [{"role": "user", "content": "Erzähl etwas"}]
    plain = await sdk.chat.completions.create(model="gpt-4o-mini", messages=messages)  # type: ignore[arg-type]
    stream = await sdk.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True)  # type: ignore[arg-type]
    async for _ in stream:
        pass
    summary = (await gateway_client.get("/admin/costs/summary", headers=admin_headers())).json()
    entry = summary["tenants"][0]
    assert entry["requests"] == 2
    assert entry["total_tokens"] == 2 * plain.usage.total_tokens  # type: ignore[union-attr]


async def test_per_key_rate_limit_applies_to_that_key_only(gateway_client: httpx.AsyncClient) -> None:
    tenant = (await gateway_client.post("/admin/tenants", json={"name": "k"}, headers=admin_headers())).json()
    limited = await gateway_client.post(
        "/admin/keys", json={"tenant_id": tenant["id"], "rate_limit_per_minute": 1}, headers=admin_headers()
    )
    free = await gateway_client.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin_headers())
    limited_sdk = _sdk(gateway_client, limited.json()["key"])
    await _ask(limited_sdk)
    with pytest.raises(openai.RateLimitError):
        await _ask(limited_sdk)
    await _ask(_sdk(gateway_client, free.json()["key"]))  # the tenant itself is not limited


async def test_keys_never_appear_in_logs(gateway_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    key = await _tenant_key(gateway_client)
    bogus = "gwk_" + "A" * 46
    logger = logging.getLogger("gateway")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG, logger="gateway"):
            await _ask(_sdk(gateway_client, key))
            with pytest.raises(openai.AuthenticationError):
                await _ask(_sdk(gateway_client, bogus))
    finally:
        logger.removeHandler(caplog.handler)
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "request settled" in logged  # the request log was captured
    assert key not in logged and key[4:20] not in logged and bogus not in logged
