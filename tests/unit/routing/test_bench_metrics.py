"""The routing benchmark's metrics on tiny hand-made cases, computed by hand."""

from __future__ import annotations

from datetime import date

import pytest

from bench.routing import metrics
from bench.routing.metrics import Outcome, TierPrice
from gateway.catalog import Catalog

PRICES = {"cheap": TierPrice("c", 1.0, 1.0), "standard": TierPrice("s", 5.0, 5.0),
          "premium": TierPrice("p", 10.0, 10.0)}


def out(label: str, routed: str, tokens: int = 1_000_000) -> Outcome:
    return Outcome(label=label, routed=routed, input_tokens=tokens, output_tokens=0)  # type: ignore[arg-type]


def test_accuracy_counts_exact_tier_matches() -> None:
    assert metrics.accuracy([out("cheap", "cheap"), out("premium", "standard")]) == 0.5


def test_confusion_counts_label_by_routed() -> None:
    matrix = metrics.confusion([out("premium", "standard"), out("premium", "standard"), out("cheap", "cheap")])
    assert (matrix["premium"]["standard"], matrix["cheap"]["cheap"], matrix["premium"]["premium"]) == (2, 1, 0)


def test_premium_recall_ignores_other_labels() -> None:
    outs = [out("premium", "premium"), out("premium", "cheap"), out("cheap", "premium"), out("premium", "premium")]
    assert metrics.premium_recall(outs) == pytest.approx(2 / 3)


def test_under_routed_counts_only_downgrades() -> None:
    outs = [out("premium", "standard"), out("standard", "cheap"), out("cheap", "premium")]
    assert metrics.under_routed(outs) == 2


def test_savings_against_always_premium() -> None:
    # costs: premium baseline 10 + 10 = 20; router 1 + 10 = 11; perfect 1 + 10 = 11
    s = metrics.savings([out("cheap", "cheap"), out("premium", "premium")], PRICES)
    assert (s.always_premium, s.router, s.perfect) == pytest.approx((20.0, 11.0, 11.0))
    assert s.router_share == pytest.approx(0.45)


def test_realised_share_is_router_over_perfect_savings() -> None:
    # perfect: 1 + 10 = 11 (45% saved); router sends the cheap one to standard: 5 + 10 = 15 (25% saved)
    s = metrics.savings([out("cheap", "standard"), out("premium", "premium")], PRICES)
    assert s.realised == pytest.approx(0.25 / 0.45)


def test_reweighting_sets_the_simple_share() -> None:
    # 90% simple: baseline 0.9*10 + 0.1*10 = 10; perfect 0.9*1 + 0.1*10 = 1.9
    outs = [out("cheap", "cheap"), out("cheap", "cheap"), out("premium", "premium")]
    s = metrics.savings(outs, PRICES, simple_share=0.9)
    assert s.perfect_share == pytest.approx(1 - 1.9 / 10)


def test_output_tokens_capped_by_max_tokens() -> None:
    assert (metrics.output_tokens("premium", None), metrics.output_tokens("premium", 100)) == (1200, 100)


def test_percentile_is_nearest_rank() -> None:
    assert (metrics.percentile([1, 2, 3, 4], 50), metrics.percentile([1, 2, 3, 4], 99)) == (2, 4)


def _model(name: str, tier: str, price_in: float, price_out: float) -> dict[str, object]:
    return {"name": name, "provider": "p", "upstream_id": name, "tier": tier, "price_as_of": date(2025, 1, 1),
            "price_usd_per_1m": {"input": price_in, "output": price_out}, "regions": ["eu"], "context_window": 1000}


def test_cheapest_per_tier_skips_unpriced_models() -> None:
    catalog = Catalog.model_validate({
        "exchange_rate": {"eur_per_usd": 0.9, "as_of": date(2025, 1, 1)},
        "providers": {"p": {"kind": "openai"}},
        "models": [_model("free", "cheap", 0, 0), _model("c1", "cheap", 1, 1), _model("c2", "cheap", 2, 2),
                   _model("s", "standard", 3, 3), _model("p1", "premium", 9, 9), _model("p2", "premium", 5, 20)],
    })
    prices = metrics.cheapest_per_tier(catalog, [out("cheap", "cheap")])  # input tokens only: p2 is cheaper
    assert (prices["cheap"].model, prices["premium"].model) == ("c1", "p2")
