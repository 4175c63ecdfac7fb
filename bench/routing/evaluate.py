"""Routing benchmark: `python -m bench.routing.evaluate [--premium-at X] [--standard-at Y] [--premium-model M]`.

Scores every case of the labelled set with the ComplexityScorer and reports, for the dev split (used for
tuning) and the held-out test split (the headline): accuracy, the confusion matrix, premium recall, cost savings
against always-premium next to a perfect router's, savings by share of simple traffic, and scoring latency.
Writes bench/results/routing.json and bench/results/routing.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.routing import metrics
from bench.routing.dataset import Case, load
from bench.routing.metrics import Outcome, TierPrice
from bench.routing.report import markdown
from gateway.catalog import Tier, load_catalog
from gateway.routing.complexity import ComplexityScorer

RESULTS = Path(__file__).resolve().parents[1] / "results"
SIMPLE_SHARES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
LATENCY_ROUNDS = 50


def outcomes(scorer: ComplexityScorer, cases: list[Case]) -> list[Outcome]:
    return [
        Outcome(label=c.label, routed=scorer.score(c.request).tier, input_tokens=metrics.input_tokens(c.chars),
                output_tokens=metrics.output_tokens(c.label, c.request.max_tokens))
        for c in cases
    ]


def split_report(scorer: ComplexityScorer, cases: list[Case], prices: dict[Tier, TierPrice]) -> dict[str, Any]:
    """Every number of one split."""
    outs = outcomes(scorer, cases)
    s = metrics.savings(outs, prices)
    by_share = []
    for share in SIMPLE_SHARES:
        w = metrics.savings(outs, prices, simple_share=share)
        by_share.append({"simple_share": share, "router_savings": w.router_share,
                         "perfect_savings": w.perfect_share, "realised": w.realised})
    return {
        "n": len(outs),
        "labels": {t: sum(o.label == t for o in outs) for t in metrics.TIERS},
        "simple_share": sum(o.label == "cheap" for o in outs) / len(outs),
        "accuracy": metrics.accuracy(outs),
        "premium_recall": metrics.premium_recall(outs),
        "under_routed": metrics.under_routed(outs),
        "confusion": metrics.confusion(outs),
        "cost_usd": {"always_premium": s.always_premium, "router": s.router, "perfect": s.perfect},
        "router_savings": s.router_share,
        "perfect_savings": s.perfect_share,
        "realised_of_perfect": s.realised,
        "savings_by_simple_share": by_share,
        "misrouted": [{"id": c.id, "label": c.label, "routed": o.routed, "note": c.note}
                      for c, o in zip(cases, outs, strict=True) if o.label != o.routed],
    }


def latency_us(scorer: ComplexityScorer, cases: list[Case]) -> dict[str, float]:
    """Per-request scoring time over all cases, repeated; microseconds.

    `p50`/`p99` are over every single call (noise from other processes included); `case_median_p99` is the p99
    over each case's median, which shows the cost of the slowest requests without scheduler noise.
    """
    for c in cases:  # warm up
        scorer.score(c.request)
    per_case: list[list[float]] = [[] for _ in cases]
    for _ in range(LATENCY_ROUNDS):
        for i, c in enumerate(cases):
            start = time.perf_counter_ns()
            scorer.score(c.request)
            per_case[i].append((time.perf_counter_ns() - start) / 1000)
    samples = sorted(x for row in per_case for x in row)
    medians = sorted(statistics.median(row) for row in per_case)
    return {"p50": metrics.percentile(samples, 50), "p99": metrics.percentile(samples, 99),
            "max": samples[-1], "case_median_p99": metrics.percentile(medians, 99),
            "case_median_max": medians[-1], "samples": len(samples)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    cases = load()
    scorer = ComplexityScorer(standard_at=args.standard_at, premium_at=args.premium_at)
    flags = "".join(f" --{k.replace('_', '-')} {v}" for k, v in vars(args).items()
                    if v not in (None, False) and k in ("standard_at", "premium_at", "premium_model"))
    catalog = load_catalog()
    all_outs = [Outcome(c.label, c.label, metrics.input_tokens(c.chars),
                        metrics.output_tokens(c.label, c.request.max_tokens)) for c in cases]
    prices = metrics.cheapest_per_tier(catalog, all_outs)
    if args.premium_model:
        model = catalog.model(args.premium_model)
        if model is None:
            raise SystemExit(f"unknown model {args.premium_model}")
        prices["premium"] = TierPrice(model.name, model.price_usd_per_1m.input, model.price_usd_per_1m.output)
    return {
        "command": "python -m bench.routing.evaluate" + flags,
        "thresholds": {"standard_at": args.standard_at, "premium_at": args.premium_at},
        "machine_load_1min": os.getloadavg()[0],
        "prices_usd_per_1m": {t: asdict(p) for t, p in prices.items()},
        "assumptions": {"input_tokens": f"characters / {metrics.CHARS_PER_TOKEN}",
                        "output_tokens": "typical per label, capped by max_tokens",
                        "typical_output_tokens": metrics.TYPICAL_OUTPUT_TOKENS},
        "splits": {name: split_report(scorer, [c for c in cases if c.split == name], prices)
                   for name in ("dev", "test")},
        "latency_us": latency_us(scorer, cases),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    defaults = ComplexityScorer.DEFAULTS
    parser.add_argument("--standard-at", type=float, default=defaults["standard_at"])
    parser.add_argument("--premium-at", type=float, default=defaults["premium_at"])
    parser.add_argument("--premium-model", default=None, help="premium reference model (default: cheapest premium)")
    parser.add_argument("--no-write", action="store_true", help="print the summary only")
    args = parser.parse_args()
    result = run(args)
    report = markdown(result)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "routing.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        (RESULTS / "routing.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
