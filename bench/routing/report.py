"""Render the routing benchmark result as Markdown."""

from __future__ import annotations

from typing import Any

from bench.routing.metrics import TIERS


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _split(name: str, s: dict[str, Any]) -> list[str]:
    labels = ", ".join(f"{t} {s['labels'][t]}" for t in TIERS)
    lines = [
        f"### {name} ({s['n']} conversations: {labels}; simple share {_pct(s['simple_share'])})", "",
        f"- accuracy: **{_pct(s['accuracy'])}**",
        f"- premium recall: **{_pct(s['premium_recall'])}** (target >= 95%); under-routed requests: {s['under_routed']}",
        (f"- savings vs always-premium: **{_pct(s['router_savings'])}**, perfect router {_pct(s['perfect_savings'])},"
        f" realised **{_pct(s['realised_of_perfect'])}** of the ceiling (target >= 50%)"), "",
        "| label \\ routed | " + " | ".join(TIERS) + " |", "|---|" + "---:|" * len(TIERS),
    ]
    lines += [f"| {lab} | " + " | ".join(str(s["confusion"][lab][r]) for r in TIERS) + " |" for lab in TIERS]
    lines += ["", "| simple share | router savings | perfect savings | realised |", "|---:|---:|---:|---:|"]
    lines += [f"| {_pct(r['simple_share'])} | {_pct(r['router_savings'])} | {_pct(r['perfect_savings'])} |"
              f" {_pct(r['realised'])} |" for r in s["savings_by_simple_share"]]
    return lines + [""]


def markdown(result: dict[str, Any]) -> str:
    prices = result["prices_usd_per_1m"]
    lat = result["latency_us"]
    a = result["assumptions"]
    lines = [
        "# Routing benchmark: complexity scorer", "",
        (f"Command: `{result['command']}`. Thresholds: standard at {result['thresholds']['standard_at']},"
        f" premium at {result['thresholds']['premium_at']}."), "",
        "Tier models (cheapest priced model per tier on this set's tokens; premium is also the always-premium"
        " baseline): " + ", ".join(f"{t} `{p['model']}` ({p['input']}/{p['output']} USD per 1M in/out)"
                                   for t, p in prices.items()) + ".",
        (f"Input tokens = {a['input_tokens']}; output tokens = {a['output_tokens']}"
        f" ({', '.join(f'{k} {v}' for k, v in a['typical_output_tokens'].items())})."), "",
        (f"Scoring latency per request: p50 {lat['p50']:.1f} µs, p99 {lat['p99']:.1f} µs, max {lat['max']:.1f} µs"
        f" over {lat['samples']} calls (1-min load average {result['machine_load_1min']:.1f});"
        f" p99 of per-case medians {lat['case_median_p99']:.1f} µs, slowest case median"
        f" {lat['case_median_max']:.1f} µs."), "",
        "## Held-out test split (headline)", "", *_split("test", result["splits"]["test"]),
        "## Dev split (used for tuning)", "", *_split("dev", result["splits"]["dev"]),
    ]
    return "\n".join(lines) + "\n"
