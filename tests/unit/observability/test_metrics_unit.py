"""GatewayMetrics alone: the hooks other stages call, on a fresh registry each."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

from prometheus_client import CollectorRegistry

from gateway.observability.metrics import GatewayMetrics
from gateway.routing.breaker import Transition
from gateway.settle import Settlement
from gateway.tenancy.costs import Cost
from gateway.types import Usage

NO_COST = Cost(0.0, 0.0, 0.0, 0.0)


def _metrics() -> GatewayMetrics:
    return GatewayMetrics(CollectorRegistry())


def _value(metrics: GatewayMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def _answered(cache_hit: Any) -> Settlement:
    candidate: Any = SimpleNamespace(
        model=SimpleNamespace(name="gpt-4o-mini"), provider=SimpleNamespace(config=SimpleNamespace(name="openai"))
    )
    record = Settlement(request_id="r1", started=time.perf_counter(), candidate=candidate, usage=Usage())
    record.cache_hit = cache_hit
    return record


def test_semantic_cache_hit_counted_with_its_kind() -> None:
    metrics = _metrics()
    metrics.observe(_answered("semantic"), NO_COST)
    hits = _value(metrics, "gateway_cache_hit_total", provider="openai", model="gpt-4o-mini", kind="semantic")
    assert hits == 1


def test_boolean_cache_hit_counts_as_exact() -> None:
    metrics = _metrics()
    metrics.observe(_answered(True), NO_COST)
    assert _value(metrics, "gateway_cache_hit_total", provider="openai", model="gpt-4o-mini", kind="exact") == 1


def test_cache_miss_counted_when_looked_up_and_not_found() -> None:
    metrics = _metrics()
    record = _answered(None)
    record.cache_status = "miss"
    metrics.observe(record, NO_COST)
    assert _value(metrics, "gateway_cache_miss_total", provider="openai", model="gpt-4o-mini") == 1


def test_cache_bypass_is_not_a_miss() -> None:
    metrics = _metrics()
    record = _answered(None)
    record.cache_status = "bypass"
    metrics.observe(record, NO_COST)
    assert _value(metrics, "gateway_cache_miss_total", provider="openai", model="gpt-4o-mini") == 0


def test_breaker_transition_counted_and_sets_state() -> None:
    metrics = _metrics()
    metrics.on_transition(Transition("anthropic", "closed", "open"))
    assert _value(metrics, "gateway_breaker_transitions_total", provider="anthropic", state="open") == 1
    assert _value(metrics, "gateway_breaker_state", provider="anthropic") == 2


def test_totals_group_samples_for_the_dashboard() -> None:
    metrics = _metrics()
    record = _answered(None)
    record.pii_detections = {"IBAN": 2, "EMAIL": 1}
    metrics.observe(record, NO_COST)
    metrics.observe(record, NO_COST)
    assert metrics.totals("gateway_pii_detections", lambda labels: labels["type"]) == {"IBAN": 4.0, "EMAIL": 2.0}
