"""What the dashboard shows, gathered from the ledger reports, the breakers, the metrics and, when those
features are installed, the cache and audit admin endpoints."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from markupsafe import Markup
from starlette.requests import Request

from gateway.api.dashboard.charts import bar_chart, line_chart
from gateway.store.state.base import StateUnavailableError
from gateway.tenancy import reports

log = logging.getLogger("gateway.api.dashboard")
CHART_DAYS = 30
CACHE_STATS_PATH = "/admin/cache/stats"
AUDIT_PATHS = ("/admin/audit/verify", "/admin/audit/status")


@dataclass
class Dashboard:
    month: str
    tenants: list[dict[str, Any]]
    cost_chart: Markup
    model_chart: Markup
    providers: list[dict[str, Any]]
    cache: dict[str, Any] | None
    audit: dict[str, Any] | None
    pii: list[tuple[str, int]] = field(default_factory=list)
    generated_at: str = ""


async def gather(request: Request) -> Dashboard:
    components = request.app.state.components
    await components.ledger.flush()  # include what this instance has not written yet
    today = datetime.now(UTC).date()
    first = today - timedelta(days=CHART_DAYS - 1)
    async with components.sessions() as session:
        summary = await reports.cost_summary(session, None, None)
        daily = await reports.daily_usage(session, None, first.isoformat(), today.isoformat())
    names = {t["tenant_id"]: t["tenant_name"] or t["tenant_id"] for t in summary["tenants"]}
    days = [(first + timedelta(days=n)).isoformat() for n in range(CHART_DAYS)]
    return Dashboard(
        month=summary["month"],
        tenants=summary["tenants"],
        cost_chart=line_chart(days, _series(daily["data"], days, names), "Cost per tenant and day (EUR)"),
        model_chart=bar_chart(_by_model(summary["tenants"]), "Cost per model this month (EUR)"),
        providers=await _providers(components),
        cache=await _cache(request, components),
        audit=await _first_available(request, AUDIT_PATHS),
        pii=_pii(components),
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    )


def _series(rows: list[dict[str, Any]], days: list[str], names: dict[str, str]) -> dict[str, list[float]]:
    index = {day: n for n, day in enumerate(days)}
    series: dict[str, list[float]] = {}
    for row in rows:
        name = names.get(row["tenant_id"], row["tenant_id"])
        values = series.setdefault(name, [0.0] * len(days))
        if row["day"] in index:
            values[index[row["day"]]] += row["cost_eur"]
    return series


def _by_model(tenants: list[dict[str, Any]]) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    for tenant in tenants:
        for entry in tenant["by_model"]:
            label = f"{entry['model']} ({entry['provider']})"
            totals[label] = totals.get(label, 0.0) + entry["cost_eur"]
    return list(totals.items())


async def _providers(components: Any) -> list[dict[str, Any]]:
    names = sorted(components.registry.providers)
    states: dict[str, str] = {name: "closed" for name in names}
    if components.breakers is not None:
        try:
            states = {c.name: c.state for c in await components.breakers.snapshot(names)}
        except StateUnavailableError:
            states = {name: "unknown" for name in names}
    return [
        {
            "name": name,
            "region": components.registry.get(name).config.region,
            "mock": components.registry.get(name).config.mock,
            "state": states.get(name, "unknown"),
        }
        for name in names
    ]


def _pii(components: Any) -> list[tuple[str, int]]:
    totals = components.metrics.totals("gateway_pii_detections", lambda labels: labels.get("type", ""))
    return sorted(((kind, int(count)) for kind, count in totals.items()), key=lambda item: -item[1])


async def _cache(request: Request, components: Any) -> dict[str, Any] | None:
    """The cache's own stats when the cache feature is installed; else None ("not configured")."""
    stats = await _first_available(request, (CACHE_STATS_PATH,))
    if stats is None:
        return None
    metrics = components.metrics
    hits = sum(metrics.totals("gateway_cache_hit", lambda labels: "all").values())
    misses = sum(metrics.totals("gateway_cache_miss", lambda labels: "all").values())
    rate = hits / (hits + misses) if hits + misses else None
    return {"stats": stats, "hits": int(hits), "misses": int(misses), "hit_rate": rate}


def _has_route(request: Request, path: str) -> bool:
    return any(getattr(route, "path", None) == path for route in request.app.router.routes)


async def _first_available(request: Request, paths: tuple[str, ...]) -> dict[str, Any] | None:
    """GET the first of `paths` the app serves, in-process, as the admin; None when none is served or it fails.

    Other features own these endpoints; calling them (rather than their internals) keeps the dashboard
    independent of how they are built.
    """
    admin_key = request.app.state.components.settings.admin_api_key
    path = next((p for p in paths if _has_route(request, p)), None)
    if path is None or admin_key is None:
        return None
    transport = httpx.ASGITransport(app=request.app)
    headers = {"authorization": f"Bearer {admin_key.get_secret_value()}"}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://dashboard") as client:
            response = await client.get(path, headers=headers)
    except httpx.HTTPError:
        log.warning("dashboard could not read %s", path)
        return None
    if response.status_code != 200:
        return {"error": f"{path} answered {response.status_code}"}
    body = response.json()
    return body if isinstance(body, dict) else {"data": body}
