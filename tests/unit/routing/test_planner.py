"""The planner alone: explicit models, tier fit, price order, residency (tenant and header), capabilities."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from gateway.catalog import Catalog, Tier, load_catalog
from gateway.errors import InvalidRequestError, ModelNotFoundError, PermissionDeniedError
from gateway.providers.base import ProviderConfig
from gateway.providers.registry import ProviderRegistry
from gateway.routing.complexity import Complexity
from gateway.routing.planner import Plan, Planner
from gateway.tenancy.policy import AuthenticatedTenant, TenantPolicy
from gateway.types import ChatRequest, ChatResponse, StreamEvent

EU_SAFE = {"eu", "local"}


class NamedProvider:
    """A provider the planner only looks at (never called)."""

    def __init__(self, name: str, region: str) -> None:
        self.config = ProviderConfig(name=name, kind="openai", base_url="http://unused", region=region)

    async def complete(self, req: ChatRequest) -> ChatResponse:  # pragma: no cover - never called
        raise AssertionError("the planner must not call a provider")

    def stream(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:  # pragma: no cover
        raise AssertionError("the planner must not call a provider")

    async def aclose(self) -> None:  # pragma: no cover
        pass


class FixedScorer:
    def __init__(self, tier: Tier, reasons: tuple[str, ...] = ()) -> None:
        self.result = Complexity(
            score={"cheap": 0.1, "standard": 0.3, "premium": 0.8}[tier], tier=tier, reasons=reasons
        )

    def score(self, request: ChatRequest) -> Complexity:
        return self.result


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def planner(catalog: Catalog, tier: Tier = "cheap", providers: set[str] | None = None, **kw: Any) -> Planner:
    names = providers if providers is not None else set(catalog.providers)
    registry = ProviderRegistry(
        {n: NamedProvider(n, catalog.providers[n].region) for n in names}  # type: ignore[misc]
    )
    return Planner(catalog, registry, FixedScorer(tier, **kw))  # type: ignore[arg-type]


def tenant(**policy: Any) -> AuthenticatedTenant:
    return AuthenticatedTenant("t1", "acme", "k1", policy=TenantPolicy(**policy))


def req(model: str = "auto", **extra: Any) -> ChatRequest:
    body = {"model": model, "messages": [{"role": "user", "content": "Hallo"}], **extra}
    return msgspec.convert(body, ChatRequest)


def models(plan: Plan) -> list[str]:
    return [c.model.name for c in plan.candidates]


def test_explicit_model_is_the_only_candidate(catalog: Catalog) -> None:
    plan = planner(catalog).plan(tenant(), req("claude-haiku-4-5"))
    assert (models(plan), plan.reason, plan.complexity) == (["claude-haiku-4-5"], "explicit", None)


def test_explicit_unknown_model_is_404(catalog: Catalog) -> None:
    with pytest.raises(ModelNotFoundError):
        planner(catalog).plan(tenant(), req("gpt-9"))


def test_explicit_model_of_unconfigured_provider_is_404(catalog: Catalog) -> None:
    with pytest.raises(ModelNotFoundError):
        planner(catalog, providers={"openai"}).plan(tenant(), req("claude-haiku-4-5"))


def test_explicit_model_outside_allow_list_is_403(catalog: Catalog) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        planner(catalog).plan(tenant(allowed_models=("gpt-4o-mini",)), req("gpt-4o"))
    assert info.value.code == "model_not_allowed"


def test_explicit_us_model_under_residency_header_is_403(catalog: Catalog) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        planner(catalog).plan(tenant(), req("gpt-4o-mini"), residency_header="eu")
    assert info.value.code == "residency_violation"


def test_explicit_local_model_passes_eu_residency(catalog: Catalog) -> None:
    plan = planner(catalog).plan(tenant(residency="eu"), req("llama3.1-8b-local"))
    assert models(plan) == ["llama3.1-8b-local"]


def test_explicit_model_lacking_json_schema_is_400(catalog: Catalog) -> None:
    with pytest.raises(InvalidRequestError) as info:
        planner(catalog).plan(tenant(), req("claude-haiku-4-5", response_format={"type": "json_schema"}))
    assert info.value.param == "response_format"


def test_cheap_prompt_tries_cheap_then_standard_then_premium(catalog: Catalog) -> None:
    plan = planner(catalog, "cheap").plan(tenant(), req())
    tiers = [c.model.tier for c in plan.candidates]
    assert tiers == sorted(tiers, key=["cheap", "standard", "premium"].index)
    assert tiers[0] == "cheap" and tiers[-1] == "premium"


def test_candidates_of_one_tier_are_cheapest_first(catalog: Catalog) -> None:
    plan = planner(catalog, "cheap").plan(tenant(), req())
    prices = [c.price for c in plan.candidates if c.model.tier == "cheap"]
    assert prices == sorted(prices)


def test_configured_local_model_wins_cheap_routes(catalog: Catalog) -> None:
    assert models(planner(catalog, "cheap").plan(tenant(), req()))[0] == "llama3.1-8b-local"


def test_unconfigured_local_model_is_not_a_candidate(catalog: Catalog) -> None:
    plan = planner(catalog, "cheap", providers={"openai", "gemini"}).plan(tenant(), req())
    assert "llama3.1-8b-local" not in models(plan)
    assert models(plan)[0] == "gpt-4.1-nano"  # 0.50 USD, ties gemini flash-lite and wins by catalog order


def test_premium_prompt_never_gets_a_lower_tier(catalog: Catalog) -> None:
    plan = planner(catalog, "premium").plan(tenant(), req())
    assert {c.model.tier for c in plan.candidates} == {"premium"}


def test_standard_prompt_falls_back_upwards_only(catalog: Catalog) -> None:
    plan = planner(catalog, "standard").plan(tenant(), req())
    assert [c.model.tier for c in plan.candidates][:2] == ["standard", "standard"]
    assert "cheap" not in {c.model.tier for c in plan.candidates}


def test_tier_alias_skips_the_scorer(catalog: Catalog) -> None:
    plan = planner(catalog, "cheap").plan(tenant(), req("premium"))
    assert (plan.tier, plan.reason, plan.complexity) == ("premium", "tier:premium", None)
    assert {c.model.tier for c in plan.candidates} == {"premium"}


def test_auto_reason_names_tier_and_cues(catalog: Catalog) -> None:
    plan = planner(catalog, "premium", reasons=("code", "reasoning")).plan(tenant(), req())
    assert plan.reason == "auto:premium:code,reasoning"


def test_tenant_residency_keeps_only_eu_and_local_models(catalog: Catalog) -> None:
    plan = planner(catalog, "cheap").plan(tenant(residency="eu"), req())
    assert plan.residency == "eu"
    assert all(set(c.model.regions) <= EU_SAFE for c in plan.candidates)
    assert "mistral-large-eu" in models(plan)


def test_residency_header_keeps_only_eu_and_local_models(catalog: Catalog) -> None:
    plan = planner(catalog, "premium").plan(tenant(), req(), residency_header="EU")
    assert models(plan) == ["mistral-large-eu", "gpt-4o-eu"]


def test_header_cannot_loosen_tenant_residency(catalog: Catalog) -> None:
    plan = planner(catalog, "cheap").plan(tenant(residency="eu"), req(), residency_header="any")
    assert plan.residency == "eu"


def test_unknown_residency_header_is_400(catalog: Catalog) -> None:
    with pytest.raises(InvalidRequestError) as info:
        planner(catalog).plan(tenant(), req(), residency_header="mars")
    assert info.value.param == "X-Data-Residency"


def test_residency_without_any_eu_provider_is_no_model_available(catalog: Catalog) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        planner(catalog, providers={"openai", "anthropic"}).plan(tenant(residency="eu"), req())
    assert info.value.code == "no_model_available"
    assert "residency 'eu'" in info.value.message


def test_premium_under_residency_with_only_cheap_eu_models_is_refused(catalog: Catalog) -> None:
    restricted = planner(catalog, "premium", providers={"openai", "ollama"})
    with pytest.raises(InvalidRequestError) as info:
        restricted.plan(tenant(), req(), residency_header="eu")
    assert info.value.code == "no_model_available"


def test_allow_list_filters_routed_candidates(catalog: Catalog) -> None:
    allowed = ("gpt-4o-mini", "gpt-4o", "mistral-small-eu")
    plan = planner(catalog, "cheap").plan(tenant(allowed_models=allowed), req())
    assert models(plan) == ["mistral-small-eu", "gpt-4o-mini", "gpt-4o"]


def test_allow_list_outside_residency_is_no_model_available(catalog: Catalog) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        planner(catalog).plan(tenant(allowed_models=("gpt-4o",), residency="eu"), req())
    assert info.value.code == "no_model_available"


def test_json_schema_request_excludes_models_without_it(catalog: Catalog) -> None:
    plan = planner(catalog, "cheap").plan(tenant(), req(response_format={"type": "json_schema"}))
    assert not any(name.startswith("claude") for name in models(plan))


def test_prompt_beyond_a_context_window_excludes_that_model(catalog: Catalog) -> None:
    long = req(messages=[{"role": "user", "content": "x " * 250_000}])  # ~170k tokens estimated
    plan = planner(catalog, "cheap").plan(tenant(), long)
    assert "gpt-4o-mini" not in models(plan)  # 128k context
    assert "gpt-4.1-nano" in models(plan)  # 1M context
