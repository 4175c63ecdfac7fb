"""The `admit` stage: per-tenant (and per-key) sliding-window rate limits and monthly budgets, and their settle.

Budgets reserve a request's estimated tokens before it runs and settle to the provider's real usage after it, so
a budget overshoots by at most what the requests in flight when it ran out actually used beyond their estimate.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from gateway.errors import BudgetExceededError, RateLimitError, ServiceUnavailableError
from gateway.store.state.base import BudgetCounter, Limit, RateDecision, RateLimiter, StateUnavailableError
from gateway.store.state.limit_state import (
    BudgetReservation,
    Corrections,
    LimitState,
    RateScope,
    SequentialLimitState,
)
from gateway.tenancy.policy import AuthenticatedTenant
from gateway.tenancy.usage_source import UsageSource
from gateway.types import ChatRequest, ChatResponse, Usage

log = logging.getLogger("gateway.limits")
WINDOW_SECONDS = 60.0
MICRO = 1_000_000  # EUR budgets are counted in micro-euros
REFUSAL_MEMORY_SECONDS = 1.0  # how long a refusal without retry-after (a used-up budget) is remembered
REFUSALS_SWEPT_AT = 1024  # remembered refusals past which the expired ones are dropped (at least)


@dataclass
class Admission:
    """What `admit` reserved, so that `settle` can correct it to the real usage."""

    tenant_id: str
    estimated_tokens: int = 0
    token_budget_key: str | None = None
    eur_budget_key: str | None = None
    rate_keys: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    degraded: bool = False


def estimate_tokens(request: ChatRequest, default_output_tokens: int) -> int:
    """A cheap upper-leaning estimate: ~4 characters a token for the input, plus the output limit."""
    return _prompt_tokens(request) + (request.max_tokens or default_output_tokens)


def _prompt_tokens(request: ChatRequest) -> int:
    chars = sum(len(m.content or "") + sum(len(c.arguments) + len(c.name) for c in m.tool_calls) for m in request.messages)
    chars += sum(len(t.name) + len(t.description or "") + len(str(t.parameters)) for t in request.tools)
    return math.ceil(chars / 4) + 4 * len(request.messages)


def fill_missing_usage(usage: Usage, request: ChatRequest | None, produced: ChatResponse) -> Usage:
    """The provider's counts where it sent them, else the same ~4-characters-a-token estimate: a stream that
    the client abandoned (or the provider cut) before the provider's usage event is still billed and counted
    against the budget, instead of being free (tests/hardening/test_abandoned_streams.py)."""
    chars = len(produced.content or "") + sum(len(c.name) + len(c.arguments) for c in produced.tool_calls)
    return msgspec.structs.replace(
        usage,
        prompt_tokens=usage.prompt_tokens or (_prompt_tokens(request) if request is not None else 0),
        completion_tokens=usage.completion_tokens or math.ceil(chars / 4),
    )


def _rate_headers(decision: RateDecision, limits: list[Limit]) -> dict[str, str]:
    headers = {}
    for limit in limits:
        headers[f"x-ratelimit-limit-{limit.name}"] = str(limit.limit)
        headers[f"x-ratelimit-remaining-{limit.name}"] = str(max(0, decision.remaining.get(limit.name, 0)))
        headers[f"x-ratelimit-reset-{limit.name}"] = f"{decision.reset_seconds.get(limit.name, 0.0):.3f}s"
    return headers


def _limits(requests_per_minute: int | None, tokens_per_minute: int | None) -> list[Limit]:
    limits = []
    if requests_per_minute is not None:
        limits.append(Limit("requests", requests_per_minute, WINDOW_SECONDS))
    if tokens_per_minute is not None:
        limits.append(Limit("tokens", tokens_per_minute, WINDOW_SECONDS))
    return limits


class Limits:
    def __init__(
        self,
        rate_limiter: RateLimiter,
        budgets: BudgetCounter,
        usage: UsageSource,
        *,
        fail_open: bool = False,
        budget_timezone: str = "UTC",
        default_output_tokens: int = 1024,
        state: LimitState | None = None,
    ) -> None:
        """`state` decides admit and settle in one go; by default call by call over `rate_limiter` and `budgets`
        (Redis passes `RedisLimitState`: one round trip each)."""
        self._rate = rate_limiter
        self._budgets = budgets
        self._state = state or SequentialLimitState(rate_limiter, budgets)
        self._usage = usage
        self._fail_open = fail_open
        self._tz = ZoneInfo(budget_timezone)
        self._default_output = default_output_tokens
        self._seeded: set[str] = set()
        self._refused: dict[str, float] = {}  # key id -> monotonic time until which it was refused
        self._sweep_at = REFUSALS_SWEPT_AT
        self._month: tuple[str, datetime, datetime] | None = None  # (label, start, end) of the current month

    def month_bounds(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """[start, end) of the budget month containing `now`, in the configured timezone, as UTC datetimes."""
        local = (now or datetime.now(UTC)).astimezone(self._tz)
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + timedelta(days=32)).replace(day=1)
        return start.astimezone(UTC), end.astimezone(UTC)

    def _current_month(self, now: datetime) -> tuple[str, datetime, datetime]:
        """The month's label ("2026-11") and bounds, computed again only when `now` leaves them (zone math is slow)."""
        month = self._month
        if month is None or not month[1] <= now < month[2]:
            start, end = self.month_bounds(now)
            month = self._month = (start.astimezone(self._tz).strftime("%Y-%m"), start, end)
        return month

    async def admit(self, tenant: AuthenticatedTenant, request: ChatRequest) -> Admission:
        """Reserve rate and budget for `request`, or raise RateLimitError / BudgetExceededError."""
        try:
            return await self._admit(tenant, request)
        except RateLimitError as refused:  # budget refusals too: remembered until the client may try again
            wait = refused.retry_after or REFUSAL_MEMORY_SECONDS
            now = time.monotonic()
            if len(self._refused) >= self._sweep_at:  # keys refused once and never seen again
                self._refused = {key: until for key, until in self._refused.items() if until > now}
                self._sweep_at = max(REFUSALS_SWEPT_AT, 2 * len(self._refused))  # amortised: O(1) per refusal
            self._refused[tenant.key_id] = now + min(wait, REFUSAL_MEMORY_SECONDS * 60)
            raise

    def lately_refused(self, tenant: AuthenticatedTenant) -> bool:
        """Whether this process refused the tenant's key and its retry-after has not passed: the next request
        is likely refused too, so the pipeline decides it before spending a PII scrub on it."""
        until = self._refused.get(tenant.key_id)
        if until is None:
            return False
        if time.monotonic() < until:
            return True
        del self._refused[tenant.key_id]
        return False

    async def _admit(self, tenant: AuthenticatedTenant, request: ChatRequest) -> Admission:
        admission = Admission(tenant.tenant_id, estimate_tokens(request, self._default_output))
        scopes = self._scopes(tenant, admission.estimated_tokens)
        budgets, units = self._budget_reservations(tenant, admission.estimated_tokens)
        try:
            for budget, unit in zip(budgets, units, strict=True):
                await self._seed(budget, tenant.tenant_id, unit)
            outcome = await self._state.admit(scopes, budgets)
        except StateUnavailableError as exc:
            if not self._fail_open:
                log.error("limit store unavailable; failing closed", extra={"error": type(exc).__name__})
                raise ServiceUnavailableError("Limits cannot be checked right now; try again shortly.") from None
            log.warning("limit store unavailable; failing open", extra={"error": type(exc).__name__})
            return Admission(tenant.tenant_id, admission.estimated_tokens, degraded=True)
        for scope, decision in zip(scopes, outcome.rates, strict=False):
            admission.headers.update(_rate_headers(decision, scope.limits))
            if not decision.allowed:
                raise RateLimitError(
                    f"Rate limit reached for {decision.limit_name} per minute.",
                    retry_after=decision.retry_after,
                    extra_headers=admission.headers,
                )
        for budget, unit, verdict in zip(budgets, units, outcome.budgets, strict=False):
            if not verdict.allowed:
                what = "token" if unit == "tokens" else "EUR"
                raise BudgetExceededError(
                    f"The monthly {what} budget of this tenant is used up ({verdict.used} of {verdict.limit}"
                    f"{' micro-EUR' if unit == 'eur' else ' tokens'}). It resets at the start of next month."
                )
        admission.rate_keys = [scope.key for scope in scopes]
        for budget, unit, verdict in zip(budgets, units, outcome.budgets, strict=False):
            if verdict.created:  # the store lost the counter mid-month: add back what the ledger knows
                await self._repair(budget.key, tenant.tenant_id, unit)
            if unit == "tokens":
                admission.token_budget_key = budget.key
            else:
                admission.eur_budget_key = budget.key
        return admission

    def _scopes(self, tenant: AuthenticatedTenant, estimated_tokens: int) -> list[RateScope]:
        policy = tenant.policy
        cost = {"requests": 1, "tokens": estimated_tokens}
        candidates = [
            (f"key:{tenant.key_id}", _limits(tenant.key_rate_limit_per_minute, tenant.key_tokens_per_minute)),
            (f"tenant:{tenant.tenant_id}", _limits(policy.rate_limit_per_minute, policy.tokens_per_minute)),
        ]
        return [RateScope(key, limits, cost) for key, limits in candidates if limits]

    def _budget_reservations(
        self, tenant: AuthenticatedTenant, estimated_tokens: int
    ) -> tuple[list[BudgetReservation], list[str]]:
        policy = tenant.policy
        if policy.monthly_token_budget is None and policy.monthly_budget_eur is None:
            return [], []
        now = datetime.now(UTC)
        month, _, end = self._current_month(now)  # the key changes at the month boundary: reset
        ttl = int((end - now).total_seconds()) + 7 * 86400
        budgets, units = [], []
        if policy.monthly_token_budget is not None:
            key = f"budget:tokens:{tenant.tenant_id}:{month}"
            budgets.append(BudgetReservation(key, estimated_tokens, policy.monthly_token_budget, ttl))
            units.append("tokens")
        if policy.monthly_budget_eur is not None:
            # One micro-euro is reserved: admitted while spend is below the limit; settle adds the real cost.
            key = f"budget:eur:{tenant.tenant_id}:{month}"
            budgets.append(BudgetReservation(key, 1, int(policy.monthly_budget_eur * MICRO), ttl))
            units.append("eur")
        return budgets, units

    async def _seed(self, budget: BudgetReservation, tenant_id: str, unit: str) -> None:
        """Once per process and counter: start a missing counter at what the ledger already holds."""
        if budget.key not in self._seeded:
            await self._budgets.seed(budget.key, await self._ledger_total(tenant_id, unit), budget.ttl_seconds)
            self._seeded.add(budget.key)

    async def _repair(self, key: str, tenant_id: str, unit: str) -> None:
        await self._budgets.settle(key, 0, await self._ledger_total(tenant_id, unit))

    async def _ledger_total(self, tenant_id: str, unit: str) -> int:
        start, end = self.month_bounds()
        if unit == "tokens":
            return await self._usage.tokens_between(tenant_id, start, end)
        return int(await self._usage.cost_eur_between(tenant_id, start, end) * MICRO)

    async def settle(self, admission: Admission, usage: Usage, cost_eur: float) -> None:
        """Correct the reservations to the real usage (also for failed and abandoned requests)."""
        if admission.degraded:
            return
        actual = usage.total_tokens
        extra_tokens = actual - admission.estimated_tokens
        budgets = []
        if admission.token_budget_key:
            budgets.append((admission.token_budget_key, extra_tokens))
        if admission.eur_budget_key:  # one micro-euro was reserved at admit
            budgets.append((admission.eur_budget_key, round(cost_eur * MICRO) - 1))
        corrections = Corrections([(key, "tokens", extra_tokens) for key in admission.rate_keys], budgets)
        try:
            await self._state.correct(corrections)
        except StateUnavailableError:
            log.warning("limit store unavailable at settle; counters re-seed from the ledger")

    async def ping(self) -> None:
        await self._rate.ping()
        await self._budgets.ping()

