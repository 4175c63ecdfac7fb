"""Which deployments may answer a request, in the order to try them."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.catalog import Catalog, ModelEntry
from gateway.errors import InvalidRequestError, ModelNotFoundError, PermissionDeniedError
from gateway.providers.base import Provider
from gateway.providers.registry import ProviderRegistry
from gateway.tenancy.policy import AuthenticatedTenant
from gateway.types import ChatRequest


@dataclass(frozen=True)
class Candidate:
    model: ModelEntry
    provider: Provider


class Planner:
    def __init__(self, catalog: Catalog, registry: ProviderRegistry) -> None:
        self._catalog = catalog
        self._registry = registry

    def available_models(self) -> list[Candidate]:
        """Catalog models whose provider is configured, in catalog order."""
        out = []
        for model in self._catalog.models:
            provider = self._registry.get(model.provider)
            if provider is not None:
                out.append(Candidate(model, provider))
        return out

    def plan(self, tenant: AuthenticatedTenant, request: ChatRequest) -> list[Candidate]:
        """An explicitly named model is the only candidate; it must be configured, allowed for the tenant, in a
        region the tenant's residency rule accepts, and able to serve the request.

        Raises:
            ModelNotFoundError: the model is unknown or its provider is not configured.
            PermissionDeniedError: the tenant may not use the model (allow-list or residency).
            InvalidRequestError: the model lacks a capability the request needs.
        """
        model = self._catalog.model(request.model)
        provider = self._registry.get(model.provider) if model else None
        if model is None or provider is None:
            raise ModelNotFoundError(
                f"The model '{request.model}' does not exist or is not available on this gateway.", param="model"
            )
        _check_tenant_may_use(tenant, model)
        _check_capabilities(model, request)
        return [Candidate(model, provider)]


def _check_tenant_may_use(tenant: AuthenticatedTenant, model: ModelEntry) -> None:
    allowed = tenant.policy.allowed_models
    if allowed is not None and model.name not in allowed:
        raise PermissionDeniedError(
            f"The model '{model.name}' is not allowed for this tenant.", param="model", code="model_not_allowed"
        )
    residency = tenant.policy.residency
    if residency is not None and residency not in model.regions:
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
