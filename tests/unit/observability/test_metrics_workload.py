"""/metrics after a scripted workload through the whole app: the counters match what was sent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.settings import Settings
from tests.conftest import ADMIN_KEY, NO_ENV_FILE, admin_headers, running_gateway

CHAT = "/v1/chat/completions"


def _body(text: str = "Hallo") -> dict[str, object]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}


async def _tenant_key(client: httpx.AsyncClient, name: str, **settings: object) -> str:
    tenant = (await client.post("/admin/tenants", json={"name": name, **settings}, headers=admin_headers())).json()
    created = await client.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin_headers())
    return str(created.json()["key"])


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    """Sum of the samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


async def _workload(settings: Settings) -> tuple[list[int], str]:
    """3 requests of tenant-a (one with an e-mail address), a 4th refused by its rate limit of 3/min, and one
    request of tenant-b refused by its spent token budget."""
    async with running_gateway(settings) as client:
        key_a = await _tenant_key(client, "tenant-a", rate_limit_per_minute=3)
        key_b = await _tenant_key(client, "tenant-b", monthly_token_budget=0)
        auth_a = {"authorization": f"Bearer {key_a}"}
        statuses = [
            (await client.post(CHAT, json=_body(text), headers=auth_a)).status_code
            for text in ("Hallo", "Schreib an erika.muster@example.de", "Danke", "Noch eine Frage")
        ]
        over_budget = await client.post(CHAT, json=_body(), headers={"authorization": f"Bearer {key_b}"})
        statuses.append(over_budget.status_code)
        return statuses, (await client.get("/metrics")).text


@pytest.fixture(scope="module")
def scraped(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    """The workload runs once for the module; each test checks one family."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('metrics') / 'gateway.db'}",
        demo=True,
        env_file=NO_ENV_FILE,
        admin_api_key=ADMIN_KEY,
        log_level="warning",
    )
    statuses, text = asyncio.run(_workload(settings))
    assert statuses == [200, 200, 200, 429, 429]
    return _samples(text)


def test_requests_counted_by_tenant_provider_model_and_status(scraped: dict) -> None:  # type: ignore[type-arg]
    ok = _value(scraped, "gateway_requests_total", tenant="tenant-a", provider="openai", model="gpt-4o-mini",
                status="200")
    assert ok == 3
    assert _value(scraped, "gateway_requests_total", tenant="tenant-a", status="429") == 1


def test_latency_histogram_counts_every_request(scraped: dict) -> None:  # type: ignore[type-arg]
    assert _value(scraped, "gateway_request_duration_seconds_count", tenant="tenant-a", status="200") == 3
    assert _value(scraped, "gateway_request_duration_seconds_bucket", tenant="tenant-a", status="200", le="+Inf") == 3


def test_upstream_latency_counts_provider_calls(scraped: dict) -> None:  # type: ignore[type-arg]
    assert _value(scraped, "gateway_upstream_duration_seconds_count", provider="openai", outcome="ok") == 3


def test_rate_limit_and_budget_rejections_counted(scraped: dict) -> None:  # type: ignore[type-arg]
    assert _value(scraped, "gateway_rejections_total", tenant="tenant-a", reason="rate_limit_exceeded") == 1
    assert _value(scraped, "gateway_rejections_total", tenant="tenant-b",
                  reason="monthly_token_budget_exceeded") == 1


def test_pii_detection_counted_by_type(scraped: dict) -> None:  # type: ignore[type-arg]
    assert _value(scraped, "gateway_pii_detections_total", tenant="tenant-a", type="EMAIL") == 1


def test_tokens_and_cost_counted(scraped: dict) -> None:  # type: ignore[type-arg]
    tokens_in = _value(scraped, "gateway_tokens_total", tenant="tenant-a", direction="in")
    tokens_out = _value(scraped, "gateway_tokens_total", tenant="tenant-a", direction="out")
    assert tokens_in > 0 and tokens_out > 0
    assert _value(scraped, "gateway_cost_eur_total", tenant="tenant-a") > 0


def test_breaker_state_gauge_reads_the_store(scraped: dict) -> None:  # type: ignore[type-arg]
    assert ("gateway_breaker_state", frozenset({("provider", "openai")})) in scraped
    assert _value(scraped, "gateway_breaker_state", provider="openai") == 0


async def test_metrics_token_required_when_configured(settings_factory: Callable[..., Settings]) -> None:
    async with running_gateway(settings_factory(metrics_bearer_token="scrape-me")) as client:
        denied = await client.get("/metrics")
        allowed = await client.get("/metrics", headers={"authorization": "Bearer scrape-me"})
    assert denied.status_code == 401 and allowed.status_code == 200
