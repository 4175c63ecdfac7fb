"""The model catalog: providers, models, tiers, list prices, regions and capabilities, from YAML.

Unknown keys are rejected, so a typo in the catalog fails at start-up instead of silently changing routing.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

Tier = Literal["cheap", "standard", "premium"]
ProviderKind = Literal["openai", "anthropic", "gemini", "ollama", "openai_compatible"]
Capability = Literal["tools", "json_schema", "json_object", "vision", "streaming"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExchangeRate(_Strict):
    eur_per_usd: float = Field(gt=0)
    as_of: date


class ProviderEntry(_Strict):
    kind: ProviderKind
    base_url: str | None = None
    base_url_env: str | None = None
    api_key_env: str | None = None
    key_required: bool = True
    region: str = "us"
    options: dict[str, str] = Field(default_factory=dict)


class Price(_Strict):
    input: float = Field(ge=0, description="USD per 1M input tokens, as the provider lists it")
    output: float = Field(ge=0, description="USD per 1M output tokens")


class ModelEntry(_Strict):
    name: str
    provider: str
    upstream_id: str
    tier: Tier
    price_usd_per_1m: Price
    price_as_of: date
    regions: list[str] = Field(min_length=1)
    capabilities: list[Capability] = Field(default_factory=list)
    context_window: int = Field(gt=0)

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities


class Catalog(_Strict):
    exchange_rate: ExchangeRate
    providers: dict[str, ProviderEntry]
    models: list[ModelEntry]

    @model_validator(mode="after")
    def _check_references(self) -> Catalog:
        names = [m.name for m in self.models]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"duplicate model names: {sorted(duplicates)}")
        unknown = {m.provider for m in self.models} - set(self.providers)
        if unknown:
            raise ValueError(f"models name unknown providers: {sorted(unknown)}")
        return self

    def model(self, name: str) -> ModelEntry | None:
        return next((m for m in self.models if m.name == name), None)


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate the catalog at `path`, or the one shipped with the package."""
    if path is None:
        text = resources.files("gateway").joinpath("catalog.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return Catalog.model_validate(yaml.safe_load(text))
