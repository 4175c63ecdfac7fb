"""Cost of a request in EUR, from the catalog's USD list prices and its dated exchange rate."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.catalog import Catalog, ModelEntry
from gateway.types import Usage


@dataclass(frozen=True)
class Cost:
    price_input_usd_per_1m: float
    price_output_usd_per_1m: float
    eur_per_usd: float
    eur: float


def cost_of(model: ModelEntry | None, usage: Usage, catalog: Catalog) -> Cost:
    """What `usage` on `model` costs, with the prices and rate used, so a ledger row never changes later."""
    rate = catalog.exchange_rate.eur_per_usd
    if model is None:
        return Cost(0.0, 0.0, rate, 0.0)
    price = model.price_usd_per_1m
    usd = (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1_000_000
    return Cost(price.input, price.output, rate, usd * rate)
