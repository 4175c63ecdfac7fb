"""Usage and cost reports from the ledger: the monthly summary per tenant and the per-day series."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import InvalidRequestError
from gateway.store.repositories import keys as key_repo
from gateway.store.repositories import usage as usage_repo


def month_range(month: str | None) -> tuple[str, datetime, datetime]:
    """`YYYY-MM` (default: the current UTC month) → (label, start, end) in UTC."""
    if month is None:
        now = datetime.now(UTC)
        year, number = now.year, now.month
    else:
        try:
            year, number = (int(part) for part in month.split("-"))
            date(year, number, 1)
        except ValueError:
            raise InvalidRequestError("month must look like 2026-11.", param="month") from None
    start = datetime(year, number, 1, tzinfo=UTC)
    end = (start + timedelta(days=32)).replace(day=1)
    return f"{year:04d}-{number:02d}", start, end


async def cost_summary(session: AsyncSession, month: str | None, tenant_id: str | None) -> dict[str, Any]:
    label, start, end = month_range(month)
    rows = await usage_repo.summary_by_model(session, start, end, tenant_id)
    tenants: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = tenants.setdefault(row.tenant_id, _tenant_entry(row.tenant_id))
        cost = round(float(row.cost_eur), 12)
        entry["by_model"].append(
            {
                "model": row.model,
                "provider": row.provider,
                "requests": row.requests,
                "prompt_tokens": int(row.prompt_tokens),
                "completion_tokens": int(row.completion_tokens),
                "cost_eur": cost,
            }
        )
        entry["requests"] += row.requests
        entry["prompt_tokens"] += int(row.prompt_tokens)
        entry["completion_tokens"] += int(row.completion_tokens)
        entry["cost_eur"] = round(entry["cost_eur"] + cost, 12)
    for entry in tenants.values():
        await _add_budget(session, entry)
    return {"month": label, "currency": "EUR", "tenants": list(tenants.values())}


def _tenant_entry(tenant_id: str) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "tenant_name": None,
        "requests": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "total_tokens": 0,
        "cost_eur": 0.0,
        "monthly_token_budget": None,  # nosec B105 # a budget in tokens, not a credential
        "budget_used_percent": None,
        "by_model": [],
    }


async def _add_budget(session: AsyncSession, entry: dict[str, Any]) -> None:
    entry["total_tokens"] = entry["prompt_tokens"] + entry["completion_tokens"]
    tenant = await key_repo.tenant_by_id(session, entry["tenant_id"])
    if tenant is None:
        return
    entry["tenant_name"] = tenant.name
    entry["monthly_token_budget"] = tenant.monthly_token_budget
    if tenant.monthly_token_budget:
        entry["budget_used_percent"] = round(100 * entry["total_tokens"] / tenant.monthly_token_budget, 2)
    entry["monthly_budget_eur"] = tenant.monthly_budget_eur


def _parse_day(value: str | None, default: date, param: str) -> date:
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequestError(f"{param} must be a date like 2026-11-26.", param=param) from None


async def daily_usage(
    session: AsyncSession, tenant_id: str | None, start_day: str | None, end_day: str | None
) -> dict[str, Any]:
    """Per tenant and day in [from, to] (inclusive, UTC): requests, tokens, cost."""
    today = datetime.now(UTC).date()
    first = _parse_day(start_day, today.replace(day=1), "from")
    last = _parse_day(end_day, today, "to")
    if last < first:
        raise InvalidRequestError("'to' is before 'from'.", param="to")
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    rows = await usage_repo.daily_series(session, start, end, tenant_id)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "currency": "EUR",
        "data": [
            {
                "tenant_id": row.tenant_id,
                "day": str(row.day),
                "requests": row.requests,
                "prompt_tokens": int(row.prompt_tokens),
                "completion_tokens": int(row.completion_tokens),
                "cost_eur": round(float(row.cost_eur), 12),
            }
            for row in rows
        ],
    }
