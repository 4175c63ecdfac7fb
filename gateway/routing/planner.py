"""Which deployments may answer a request, in the order to try them."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.catalog import Catalog, ModelEntry
from gateway.errors import InvalidRequestError, ModelNotFoundError
from gateway.providers.base import Provider
from gateway.providers.registry import ProviderRegistry
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

    def plan(self, request: ChatRequest) -> list[Candidate]:
        """An explicitly named model is the only candidate; it must be configured and able to serve the request.

        Raises:
            ModelNotFoundError: the model is unknown or its provider is not configured.
            InvalidRequestError: the model lacks a capability the request needs.
        """
        model = self._catalog.model(request.model)
        provider = self._registry.get(model.provider) if model else None
        if model is None or provider is None:
            raise ModelNotFoundError(
                f"The model '{request.model}' does not exist or is not available on this gateway.", param="model"
            )
        _check_capabilities(model, request)
        return [Candidate(model, provider)]


def _check_capabilities(model: ModelEntry, request: ChatRequest) -> None:
    if request.tools and not model.supports("tools"):
        raise InvalidRequestError(f"The model '{model.name}' does not support tools.", param="tools")
    rf = request.response_format
    if rf is not None and rf.type != "text" and not model.supports(rf.type):
        raise InvalidRequestError(
            f"The model '{model.name}' does not support response_format '{rf.type}'.", param="response_format"
        )
