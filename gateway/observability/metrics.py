"""Prometheus metrics: the families, a settle observer that fills them, and the exposition.

Every family lives on a registry owned by one app (tests build many apps in one process). When several worker
processes serve one port (`gateway serve --workers N`), prometheus-client writes each value to a memory-mapped
file under `PROMETHEUS_MULTIPROC_DIR` and the exposition merges the files of all workers, so a scrape sees the
whole instance, whichever worker answers it (see docs/production.md).

The hot path pays for a settled request with a few dictionary look-ups and counter increments: the labelled
children are cached by their label tuple, because `labels()` itself validates and hashes on every call.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from gateway.routing.breaker import Transition
from gateway.settle import Settlement
from gateway.store.state.breaker_base import CircuitSnapshot
from gateway.tenancy.costs import Cost

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
BREAKER_STATE_VALUES = {"closed": 0.0, "half_open": 1.0, "open": 2.0}
REJECTION_CODES = frozenset({"rate_limit_exceeded", "monthly_token_budget_exceeded"})
REQUEST_LABELS = ("tenant", "provider", "model", "status")
_NO_STATUS = object()  # a Settlement without `cache_status` (before the cache feature)


def multiprocess_dir() -> str | None:
    """The directory of the worker files when prometheus-client runs in multiprocess mode, else None."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir") or None


class _Children:
    """`metric.labels(*values)`, memoised: the label tuple sets of a gateway are few and long-lived."""

    def __init__(self, metric: Any) -> None:
        self._metric = metric
        self._cache: dict[tuple[str, ...], Any] = {}

    def __call__(self, *values: str) -> Any:
        child = self._cache.get(values)
        if child is None:
            child = self._cache[values] = self._metric.labels(*values)
        return child


class GatewayMetrics:
    """The gateway's metric families on one registry, and the hooks that update them."""

    def __init__(self, registry: CollectorRegistry | None = None, cache_enabled: bool = True) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.cache_enabled = cache_enabled
        r = self.registry
        self.requests = _Children(Counter(
            "gateway_requests", "Chat completion requests by outcome.", REQUEST_LABELS, registry=r))
        self.duration = _Children(Histogram(
            "gateway_request_duration_seconds", "Time from request to settle (streams: to their end).",
            REQUEST_LABELS, buckets=LATENCY_BUCKETS, registry=r))
        self.upstream = _Children(Histogram(
            "gateway_upstream_duration_seconds", "Provider call latency (streams: time to the first event).",
            ("provider", "model", "outcome"), buckets=LATENCY_BUCKETS, registry=r))
        self.tokens = _Children(Counter(
            "gateway_tokens", "Tokens by direction (in: prompt, out: completion).",
            ("tenant", "provider", "model", "direction"), registry=r))
        self.cost = _Children(Counter(
            "gateway_cost_eur", "Cost in EUR at the price and rate of the day.", ("tenant", "provider", "model"),
            registry=r))
        self.cache_hits = _Children(Counter(
            "gateway_cache_hit", "Answers served from the cache.", ("provider", "model", "kind"), registry=r))
        self.cache_misses = _Children(Counter(
            "gateway_cache_miss", "Answers that had to come from a provider.", ("provider", "model"), registry=r))
        self.rejections = _Children(Counter(
            "gateway_rejections", "Requests refused by rate limits and budgets.", ("tenant", "reason"),
            registry=r))
        self.pii = _Children(Counter(
            "gateway_pii_detections", "PII entities found in requests, by type (never values).",
            ("tenant", "type"), registry=r))
        self.breaker_state = _Children(Gauge(
            "gateway_breaker_state", "Circuit state per provider: 0 closed, 1 half-open, 2 open.", ("provider",),
            registry=r, multiprocess_mode="mostrecent"))
        self.breaker_transitions = _Children(Counter(
            "gateway_breaker_transitions", "Circuit transitions caused by this instance, by new state.",
            ("provider", "state"), registry=r))

    def observe(self, record: Settlement, cost: Cost) -> None:
        """Count one settled request (the `SettleObserver` hook; runs on the request path, so no I/O)."""
        tenant = record.tenant.tenant_name if record.tenant is not None else ""
        candidate = record.candidate
        provider = candidate.provider.config.name if candidate is not None else ""
        model = candidate.model.name if candidate is not None else ""
        status = str(record.status)
        self.requests(tenant, provider, model, status).inc()
        self.duration(tenant, provider, model, status).observe(record.duration_ms / 1000)
        usage = record.usage
        if usage.prompt_tokens:
            self.tokens(tenant, provider, model, "in").inc(usage.prompt_tokens)
        if usage.completion_tokens:
            self.tokens(tenant, provider, model, "out").inc(usage.completion_tokens)
        if cost.eur:
            self.cost(tenant, provider, model).inc(cost.eur)
        if record.error_code in REJECTION_CODES:
            self.rejections(tenant, record.error_code).inc()
        for entity, count in record.pii_detections.items():
            self.pii(tenant, entity).inc(count)
        self._count_cache(record, provider, model)

    def _count_cache(self, record: Settlement, provider: str, model: str) -> None:
        hit = getattr(record, "cache_hit", None)
        if hit:
            # "exact" / "semantic"; a plain True (an older Settlement) counts as "exact".
            self.cache_hits(provider, model, hit if isinstance(hit, str) else "exact").inc()
            return
        status = getattr(record, "cache_status", _NO_STATUS)
        if status == "miss" or (status is _NO_STATUS and self.cache_enabled and record.status == 200
                                and record.candidate is not None):
            self.cache_misses(provider, model).inc()  # looked up and not found ("bypass": not looked up)

    def observe_upstream(self, provider: str, model: str, outcome: str, seconds: float) -> None:
        self.upstream(provider, model, outcome).observe(seconds)

    def on_transition(self, transition: Transition) -> None:
        """The `Breakers.subscribe` hook."""
        self.breaker_transitions(transition.provider, transition.state).inc()
        self.breaker_state(transition.provider).set(BREAKER_STATE_VALUES[transition.state])

    def set_breakers(self, circuits: Iterable[CircuitSnapshot]) -> None:
        """Refresh the state gauge from the shared store (a transition is seen only by the instance causing it)."""
        for circuit in circuits:
            self.breaker_state(circuit.name).set(BREAKER_STATE_VALUES[circuit.state])

    def collecting_registry(self) -> CollectorRegistry:
        """What a scrape reads: every worker's files in multiprocess mode, else this app's registry."""
        directory = multiprocess_dir()
        if directory is None:
            return self.registry
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=directory)  # type: ignore[no-untyped-call]
        return merged

    def exposition(self) -> bytes:
        return generate_latest(self.collecting_registry())

    def totals(self, family: str, key: Callable[[Mapping[str, str]], str]) -> dict[str, float]:
        """Sum a counter family's samples grouped by `key(labels)` (for the dashboard)."""
        sums: dict[str, float] = {}
        for metric in self.collecting_registry().collect():
            if metric.name != family:
                continue
            for sample in metric.samples:
                if sample.name == family + "_total":
                    group = key(sample.labels)
                    sums[group] = sums.get(group, 0.0) + sample.value
        return sums
