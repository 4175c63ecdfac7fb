"""Fault injection through the real gateway (uvicorn on loopback), one mock server per provider.

Every request gets exactly one valid answer or one OpenAI-style error; the answer comes from the next candidate;
circuits open and recover; residency holds for failover candidates too. Candidates are pinned per test by a
tenant allow-list and the `cheap` tier alias, so the order never depends on the complexity scorer's tuning.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.mock.demo import mock_app
from gateway.mock.server import MockServer
from gateway.settings import Settings

# catalog provider -> (mock protocol, env prefix, URL suffix, a cheap model it serves)
PROVIDERS = {
    "openai": ("openai", "OPENAI", "/v1", "gpt-4o-mini"),
    "anthropic": ("anthropic", "ANTHROPIC", "", "claude-haiku-4-5"),
    "gemini": ("gemini", "GEMINI", "", "gemini-2.5-flash-lite"),
    "ollama": ("ollama", "OLLAMA", "", "llama3.1-8b-local"),
    "mistral": ("openai", "MISTRAL", "/v1", "mistral-small-eu"),
}
US = ("openai", "anthropic", "gemini")
EU_SAFE = ("mistral", "ollama")
FALLBACK = ("mistral", "mistral-large-eu")  # premium: always after any cheap first choice
ADMIN = "failover-admin-key"
COOLDOWN = 1.0
THRESHOLD = 2


@dataclass
class FailoverStack:
    url: str
    mocks: dict[str, MockServer]

    def arm(self, provider: str, fault: str, count: int = 1) -> None:
        response = httpx.post(
            self.mocks[provider].url + "/_mock/faults", json={"fault": fault, "count": count}
        )
        response.raise_for_status()

    def seen(self) -> dict[str, int]:
        return {p: httpx.get(m.url + "/_mock/faults").json()["requests_seen"] for p, m in self.mocks.items()}

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"authorization": f"Bearer {ADMIN}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=10, **kwargs)

    def key(self, **settings: Any) -> str:
        name = "t-" + secrets.token_hex(4)
        tenant = self.admin("POST", "/admin/tenants", json={"name": name, **settings}).json()
        return str(self.admin("POST", "/admin/keys", json={"tenant_id": tenant["id"]}).json()["key"])

    def breakers(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p["breaker"] for p in self.admin("GET", "/admin/providers").json()["data"]}

    def reset(self) -> None:
        for provider, mock in self.mocks.items():
            httpx.delete(mock.url + "/_mock/faults").raise_for_status()
            self.admin("POST", f"/admin/providers/{provider}/reset").raise_for_status()


def body(model: str = "cheap", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "Wie spät ist es?"}], **extra}


def chat(stack: FailoverStack, key: str, payload: dict[str, Any], **headers: str) -> httpx.Response:
    auth = {"authorization": f"Bearer {key}", **headers}
    return httpx.post(stack.url + "/v1/chat/completions", json=payload, headers=auth, timeout=15)


def pair_key(stack: FailoverStack, first: str) -> str:
    """A tenant whose `cheap` route is exactly [first provider's cheap model, mistral-large-eu]."""
    second = "gpt-4o" if first == "mistral" else FALLBACK[1]
    return stack.key(allowed_models=[PROVIDERS[first][3], second])


def sse_data(response: httpx.Response) -> list[str]:
    return [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]


@pytest.fixture(scope="module")
def failover_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FailoverStack]:
    mocks = {name: MockServer(mock_app(spec[0])).start() for name, spec in PROVIDERS.items()}
    patch = pytest.MonkeyPatch()
    for name, (_, env, suffix, _) in PROVIDERS.items():
        patch.setenv(f"{env}_API_KEY", f"test-{name}-key")
        patch.setenv(f"{env}_BASE_URL", mocks[name].url + suffix)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('failover') / 'gateway.db'}",
        env_file=Path("/nonexistent/.env"),
        admin_api_key=ADMIN,  # type: ignore[arg-type]
        upstream_read_timeout=1.0,
        breaker_failure_threshold=THRESHOLD,
        breaker_min_requests=1000,  # only consecutive failures trip, so counts in tests are exact
        breaker_cooldown_seconds=COOLDOWN,
        log_level="error",
    )
    gateway = MockServer(create_app(settings), lifespan="on").start()
    patch.undo()  # provider settings are read once, at start-up
    try:
        yield FailoverStack(gateway.url, mocks)
    finally:
        gateway.stop()
        for mock in mocks.values():
            mock.stop()


@pytest.fixture
def stack(failover_stack: FailoverStack) -> Iterator[FailoverStack]:
    failover_stack.reset()
    yield failover_stack
    failover_stack.reset()


@pytest.mark.parametrize(
    ("provider", "fault"),
    [
        ("openai", "http_500"),
        ("gemini", "http_503"),
        ("anthropic", "http_529"),
        ("gemini", "http_429"),
        ("openai", "timeout"),
        ("ollama", "reset"),
        ("anthropic", "malformed"),
        ("mistral", "http_401"),
    ],
)
def test_failing_provider_is_answered_by_the_next_candidate(
    stack: FailoverStack, provider: str, fault: str
) -> None:
    key = pair_key(stack, provider)
    stack.arm(provider, fault)
    before = stack.seen()
    response = chat(stack, key, body())
    after = stack.seen()
    expected = "openai" if provider == "mistral" else "mistral"
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"]
    assert response.headers["x-gateway-provider"] == expected
    assert response.headers["x-gateway-route-reason"] == "tier:cheap"
    assert after[provider] - before[provider] == 1  # the faulted call, not retried


def test_non_retryable_refusal_is_not_failed_over(stack: FailoverStack) -> None:
    key = pair_key(stack, "openai")
    stack.arm("openai", "http_400")
    before = stack.seen()
    response = chat(stack, key, body())
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert stack.seen()["mistral"] == before["mistral"]


@pytest.mark.parametrize("fault", ["http_503", "timeout", "reset"])
def test_stream_fails_over_before_the_first_byte(stack: FailoverStack, fault: str) -> None:
    key = pair_key(stack, "openai")
    stack.arm("openai", fault)
    response = chat(stack, key, body(stream=True))
    data = sse_data(response)
    assert response.status_code == 200 and response.headers["x-gateway-provider"] == "mistral"
    assert data[-1] == "[DONE]" and not any('"error"' in d for d in data)
    assert json.loads(data[0])["model"] == "mistral-large-eu"


def test_stream_cut_after_first_byte_is_never_retried(stack: FailoverStack) -> None:
    key = pair_key(stack, "openai")
    stack.arm("openai", "cut_stream")
    before = stack.seen()
    data = sse_data(chat(stack, key, body(stream=True)))
    assert json.loads(data[-2])["error"]["code"] == "upstream_protocol_error"
    assert data[-1] == "[DONE]"
    assert stack.seen()["mistral"] == before["mistral"]


def test_breaker_opens_then_recovers_after_cooldown(stack: FailoverStack) -> None:
    key = pair_key(stack, "openai")
    stack.arm("openai", "http_503", count=THRESHOLD)
    for _ in range(THRESHOLD):
        assert chat(stack, key, body()).headers["x-gateway-provider"] == "mistral"
    opened = stack.breakers()["openai"]
    assert (opened["state"], opened["times_opened"], opened["failures"]) == ("open", 1, THRESHOLD)
    before = stack.seen()["openai"]
    assert chat(stack, key, body()).headers["x-gateway-provider"] == "mistral"
    assert stack.seen()["openai"] == before  # skipped while open: no call at all
    time.sleep(COOLDOWN + 0.2)
    assert chat(stack, key, body()).headers["x-gateway-provider"] == "openai"  # the half-open probe succeeds
    assert stack.breakers()["openai"]["state"] == "closed"


def test_dry_run_shows_open_circuit_and_calls_no_provider(stack: FailoverStack) -> None:
    key = pair_key(stack, "openai")
    stack.arm("openai", "http_503", count=THRESHOLD)
    for _ in range(THRESHOLD):
        chat(stack, key, body())
    before = stack.seen()
    route = httpx.post(
        stack.url + "/v1/route", json=body(), headers={"authorization": f"Bearer {key}"}
    ).json()
    assert stack.seen() == before
    assert [(c["model"], c["health"]) for c in route["candidates"]] == [
        ("gpt-4o-mini", "open"),
        ("mistral-large-eu", "closed"),
    ]
    assert (route["provider"], route["model"], route["tier"]) == ("mistral", "mistral-large-eu", "cheap")


def test_concurrent_requests_get_exactly_one_answer_each(stack: FailoverStack) -> None:
    key = pair_key(stack, "gemini")
    stack.arm("gemini", "http_503", count=6)
    before = stack.seen()

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=stack.url, timeout=15) as client:
            auth = {"authorization": f"Bearer {key}"}
            return await asyncio.gather(
                *(client.post("/v1/chat/completions", json=body(), headers=auth) for _ in range(20))
            )

    responses = asyncio.run(burst())
    after = stack.seen()
    armed_left = len(httpx.get(stack.mocks["gemini"].url + "/_mock/faults").json()["armed"])
    calls = (after["gemini"] - before["gemini"]) + (after["mistral"] - before["mistral"])
    assert [r.status_code for r in responses] == [200] * 20
    assert calls == 20 + (6 - armed_left)  # one successful upstream call per request, plus the faulted ones


def test_tenant_residency_routes_auto_to_eu_or_local(stack: FailoverStack) -> None:
    response = chat(stack, stack.key(residency="eu"), body("auto"))
    assert response.status_code == 200
    assert response.headers["x-gateway-provider"] in EU_SAFE
    assert response.headers["x-gateway-route-reason"].startswith("auto:")


def test_residency_header_routes_auto_to_eu_or_local(stack: FailoverStack) -> None:
    response = chat(stack, stack.key(), body("auto"), **{"x-data-residency": "eu"})
    assert response.headers["x-gateway-provider"] in EU_SAFE


@pytest.mark.parametrize("how", ["tenant", "header", "header-stream"])
def test_eu_request_never_fails_over_to_a_us_provider(stack: FailoverStack, how: str) -> None:
    key = stack.key(residency="eu") if how == "tenant" else stack.key()
    headers = {} if how == "tenant" else {"x-data-residency": "eu"}
    for provider in EU_SAFE:
        stack.arm(provider, "http_503", count=10)
    before = stack.seen()
    response = chat(stack, key, body("auto", stream=how.endswith("stream")), **headers)
    after = stack.seen()
    assert response.status_code in (502, 503)
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    assert all(after[p] == before[p] for p in US)


def test_explicit_us_model_under_residency_header_is_refused(stack: FailoverStack) -> None:
    response = chat(stack, stack.key(), body("gpt-4o-mini"), **{"x-data-residency": "eu"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "residency_violation"


def test_auto_answer_names_the_model_that_answered(stack: FailoverStack) -> None:
    response = chat(stack, stack.key(allowed_models=["gpt-4o-mini"]), body("auto"))
    assert response.json()["model"] == "gpt-4o-mini"
    assert response.headers["x-gateway-model"] == "gpt-4o-mini"
