"""Pure metrics of a router on a labelled set: accuracy, confusion, premium recall, cost and savings.

No I/O here, so tiny hand-made cases can test every number the benchmark reports.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.catalog import Catalog, ModelEntry, Tier

TIERS: tuple[Tier, ...] = ("cheap", "standard", "premium")
# Output tokens of a typical answer to a request of each label, when the request sets no smaller max_tokens.
# The output length follows the task, not the model that answers it.
TYPICAL_OUTPUT_TOKENS: dict[Tier, int] = {"cheap": 150, "standard": 500, "premium": 1200}
CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class Outcome:
    """One scored request: its label, the tier the router chose and its estimated token counts."""

    label: Tier
    routed: Tier
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class TierPrice:
    """The model that serves a tier and its list price in USD per 1M tokens."""

    model: str
    input: float
    output: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000


def output_tokens(label: Tier, max_tokens: int | None) -> int:
    """The typical answer length for `label`, capped by the request's max_tokens."""
    typical = TYPICAL_OUTPUT_TOKENS[label]
    return typical if max_tokens is None else min(typical, max_tokens)


def input_tokens(chars: int) -> int:
    return max(1, chars // CHARS_PER_TOKEN)


def accuracy(outcomes: Sequence[Outcome]) -> float:
    return sum(o.label == o.routed for o in outcomes) / len(outcomes) if outcomes else 0.0


def confusion(outcomes: Sequence[Outcome]) -> dict[Tier, dict[Tier, int]]:
    """`matrix[label][routed]` counts."""
    matrix: dict[Tier, dict[Tier, int]] = {label: {routed: 0 for routed in TIERS} for label in TIERS}
    for o in outcomes:
        matrix[o.label][o.routed] += 1
    return matrix


def premium_recall(outcomes: Sequence[Outcome]) -> float:
    """Share of premium-labelled requests routed to premium: the quality guard."""
    premium = [o for o in outcomes if o.label == "premium"]
    return sum(o.routed == "premium" for o in premium) / len(premium) if premium else 1.0


def under_routed(outcomes: Sequence[Outcome]) -> int:
    """Requests sent to a lower tier than their label: the quality risk in any tier."""
    return sum(TIERS.index(o.routed) < TIERS.index(o.label) for o in outcomes)


def cheapest_per_tier(catalog: Catalog, outcomes: Sequence[Outcome]) -> dict[Tier, TierPrice]:
    """For each tier the priced model with the lowest total cost on these requests' tokens.

    Models with a zero list price (self-hosted) are left out: their cost is hardware the catalog does not price.
    """
    tokens_in = sum(o.input_tokens for o in outcomes)
    tokens_out = sum(o.output_tokens for o in outcomes)
    out: dict[Tier, TierPrice] = {}
    for tier in TIERS:
        priced = [m for m in catalog.models if m.tier == tier and _has_price(m)]
        if not priced:
            raise ValueError(f"no priced model in tier {tier}")
        best = min(priced, key=lambda m: _price(m).cost(tokens_in, tokens_out))
        out[tier] = _price(best)
    return out


def _has_price(model: ModelEntry) -> bool:
    return model.price_usd_per_1m.input > 0 or model.price_usd_per_1m.output > 0


def _price(model: ModelEntry) -> TierPrice:
    return TierPrice(model.name, model.price_usd_per_1m.input, model.price_usd_per_1m.output)


@dataclass(frozen=True)
class Savings:
    """Cost of always-premium, the router and a perfect router (each request on its label's tier), in USD."""

    always_premium: float
    router: float
    perfect: float

    @property
    def router_share(self) -> float:
        """Savings of the router against always-premium, 0..1."""
        return 1 - self.router / self.always_premium if self.always_premium else 0.0

    @property
    def perfect_share(self) -> float:
        return 1 - self.perfect / self.always_premium if self.always_premium else 0.0

    @property
    def realised(self) -> float:
        """The router's savings as a share of the perfect router's: the target is >= 0.5."""
        return self.router_share / self.perfect_share if self.perfect_share else 0.0


def savings(
    outcomes: Sequence[Outcome], prices: dict[Tier, TierPrice], simple_share: float | None = None
) -> Savings:
    """Costs over `outcomes`; with `simple_share` the cheap-labelled requests are reweighted to that share."""
    weights = _weights(outcomes, simple_share)
    baseline = router = perfect = 0.0
    for o, w in zip(outcomes, weights, strict=True):
        baseline += w * prices["premium"].cost(o.input_tokens, o.output_tokens)
        router += w * prices[o.routed].cost(o.input_tokens, o.output_tokens)
        perfect += w * prices[o.label].cost(o.input_tokens, o.output_tokens)
    return Savings(always_premium=baseline, router=router, perfect=perfect)


def _weights(outcomes: Sequence[Outcome], simple_share: float | None) -> list[float]:
    if simple_share is None:
        return [1.0] * len(outcomes)
    simple = sum(o.label == "cheap" for o in outcomes)
    other = len(outcomes) - simple
    if not simple or not other:
        raise ValueError("reweighting needs both simple and non-simple requests")
    return [simple_share / simple if o.label == "cheap" else (1 - simple_share) / other for o in outcomes]


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values, `q` in 0..100."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


