"""Which deployments may answer a request, in the order to try them.

    explicit model  → that model only                                  404 / 403 model_not_allowed,
                                                                       residency_violation / 400 capability
    "auto" or tier  → residency filter (tenant setting, X-Data-Residency) FIRST
                      → tenant allow-list → capabilities and context window
                      → tier fit: the wanted tier, then higher tiers; never a lower one
                      → cheapest first (catalog input + output list price)
                      none left → 403/400 no_model_available saying why, never a silent downgrade

The wanted tier of `auto` comes from the complexity scorer; a tier alias (`cheap`, `standard`, `premium`) names
it directly. Health is the dispatcher's part: it skips providers whose circuit is open, in this order.
A configured local model (price 0) is an ordinary candidate: it wins the cheap routes it is adequate for. An
operator who wants otherwise gives it an internal price in the catalog (see docs/adr/0004).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import get_args

from gateway.catalog import Catalog, ModelEntry, Tier
from gateway.errors import GatewayError, InvalidRequestError, ModelNotFoundError, PermissionDeniedError
from gateway.providers.base import Provider
from gateway.providers.registry import ProviderRegistry
from gateway.routing.complexity import Complexity, ComplexityScorer
from gateway.routing.eligibility import fits_context, in_residency, missing_capability, required_residency
from gateway.tenancy.policy import AuthenticatedTenant
from gateway.types import ChatRequest

AUTO = "auto"
TIERS: tuple[Tier, ...] = get_args(Tier)  # cheapest first
NO_MODEL = "no_model_available"


@dataclass(frozen=True)
class Candidate:
    model: ModelEntry
    provider: Provider

    @property
    def price(self) -> float:
        """USD per 1M input plus 1M output tokens: the price order of candidates."""
        return self.model.price_usd_per_1m.input + self.model.price_usd_per_1m.output


@dataclass(frozen=True)
class Plan:
    """The routing decision for one request.

    Attributes:
        candidates: Deployments to try, in order (never empty).
        reason: Short, header-safe: `explicit`, `tier:premium`, `auto:premium:code,reasoning`.
        tier: The tier wanted (the explicit model's own tier for an explicit model).
        complexity: The scorer's verdict; None for an explicit model (not needed to route it).
        residency: The residency rule applied, None when unrestricted.
    """

    candidates: list[Candidate]
    reason: str
    tier: Tier
    complexity: Complexity | None
    residency: str | None


@dataclass(frozen=True)
class _Filter:
    keep: Callable[[Candidate], bool]
    refusal: Callable[[], GatewayError]


class Planner:
    def __init__(
        self, catalog: Catalog, registry: ProviderRegistry, scorer: ComplexityScorer | None = None
    ) -> None:
        self._catalog = catalog
        self._registry = registry
        self._scorer = scorer or ComplexityScorer()

    def available_models(self) -> list[Candidate]:
        """Catalog models whose provider is configured, in catalog order."""
        out = []
        for model in self._catalog.models:
            provider = self._registry.get(model.provider)
            if provider is not None:
                out.append(Candidate(model, provider))
        return out

    def score(self, request: ChatRequest) -> Complexity:
        return self._scorer.score(request)

    def plan(
        self, tenant: AuthenticatedTenant, request: ChatRequest, residency_header: str | None = None
    ) -> Plan:
        """Decide the candidates for `request`.

        Raises:
            ModelNotFoundError: an explicit model is unknown or its provider is not configured.
            PermissionDeniedError: the tenant may not use the model (allow-list or residency), or no model
                passes the tenant's residency rule or allow-list (`no_model_available`).
            InvalidRequestError: a capability the request needs is missing, or the residency header is unknown.
        """
        residency = required_residency(tenant.policy.residency, residency_header)
        if self._catalog.model(request.model) is None and (request.model == AUTO or request.model in TIERS):
            return self._routed(tenant, request, residency)
        candidate = self._explicit(tenant, request, residency)
        return Plan([candidate], "explicit", candidate.model.tier, None, residency)

    def _explicit(
        self, tenant: AuthenticatedTenant, request: ChatRequest, residency: str | None
    ) -> Candidate:
        model = self._catalog.model(request.model)
        provider = self._registry.get(model.provider) if model else None
        if model is None or provider is None:
            raise ModelNotFoundError(
                f"The model '{request.model}' does not exist or is not available on this gateway.",
                param="model",
            )
        _check_tenant_may_use(tenant, model, residency)
        _check_capabilities(model, request)
        return Candidate(model, provider)

    def _routed(self, tenant: AuthenticatedTenant, request: ChatRequest, residency: str | None) -> Plan:
        complexity: Complexity | None = None
        if request.model == AUTO:
            complexity = self._scorer.score(request)
            tier = complexity.tier
            reason = f"auto:{tier}" + (":" + ",".join(complexity.reasons) if complexity.reasons else "")
        else:
            tier = next(t for t in TIERS if t == request.model)
            reason = f"tier:{tier}"
        pool = self.available_models()
        for step in _filters(tenant, request, residency, tier):
            pool = [c for c in pool if step.keep(c)]
            if not pool:
                raise step.refusal()
        wanted = TIERS.index(tier)
        pool.sort(
            key=lambda c: (TIERS.index(c.model.tier) - wanted, c.price)
        )  # stable: catalog order breaks ties
        return Plan(pool, reason, tier, complexity, residency)


def _filters(
    tenant: AuthenticatedTenant, request: ChatRequest, residency: str | None, tier: Tier
) -> list[_Filter]:
    """The filters of a routed request, residency first; each refusal says which rule left nothing."""
    allowed = tenant.policy.allowed_models
    wanted = TIERS.index(tier)
    return [
        _Filter(
            lambda c: in_residency(c.model, residency),
            lambda: PermissionDeniedError(
                f"No model available: no configured model keeps data in the required residency '{residency}'.",
                code=NO_MODEL,
            ),
        ),
        _Filter(
            lambda c: allowed is None or c.model.name in allowed,
            lambda: PermissionDeniedError(
                "No model available: none of the models this tenant may use is available"
                + (f" within the data residency '{residency}'." if residency else "."),
                code=NO_MODEL,
            ),
        ),
        _Filter(
            lambda c: missing_capability(c.model, request) is None and fits_context(c.model, request),
            lambda: InvalidRequestError(
                "No model available: no allowed model supports what this request needs "
                "(tools, response_format, streaming or its length).",
                code=NO_MODEL,
            ),
        ),
        _Filter(
            lambda c: TIERS.index(c.model.tier) >= wanted,
            lambda: InvalidRequestError(
                f"No model available: no allowed model of tier '{tier}' or above can serve this request"
                + (f" within the data residency '{residency}'." if residency else "."),
                code=NO_MODEL,
            ),
        ),
    ]


def _check_tenant_may_use(tenant: AuthenticatedTenant, model: ModelEntry, residency: str | None) -> None:
    allowed = tenant.policy.allowed_models
    if allowed is not None and model.name not in allowed:
        raise PermissionDeniedError(
            f"The model '{model.name}' is not allowed for this tenant.",
            param="model",
            code="model_not_allowed",
        )
    if not in_residency(model, residency):
        raise PermissionDeniedError(
            f"The model '{model.name}' is served outside the required data residency '{residency}'.",
            param="model",
            code="residency_violation",
        )


def _check_capabilities(model: ModelEntry, request: ChatRequest) -> None:
    if request.tools and not model.supports("tools"):
        raise InvalidRequestError(f"The model '{model.name}' does not support tools.", param="tools")
    rf = request.response_format
    if rf is not None and rf.type != "text" and not model.supports(rf.type):
        raise InvalidRequestError(
            f"The model '{model.name}' does not support response_format '{rf.type}'.", param="response_format"
        )
