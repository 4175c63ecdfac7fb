#!/usr/bin/env python3
"""Benchmark providers through a running gateway: latency, tokens, cost and a failover test.

    scripts/benchmark.py --providers anthropic openai --prompts 20 \
        --base-url http://127.0.0.1:8000 --api-key gw_...            # or GATEWAY_URL / GATEWAY_API_KEY

For every provider, each of its models (up to --models-per-provider, from GET /v1/models) answers --prompts
prompts one after another. Results per provider and model: p50/p95 latency, tokens, cost per 1K tokens (from
the model catalog's list prices, the same the gateway bills with), errors. The failover test sends a tier request
(`cheap`), makes the provider that answered it fail and checks that the next candidate answers: against the mock
providers through their control endpoint (`--mock-control openai=http://127.0.0.1:PORT ...`, POST /_mock/faults);
against real providers, which cannot be made to fail on purpose, it is skipped and says so.

Writes results.json, summary.md and failover_test.md to --output-dir (default benchmark_results/).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

PROMPTS = (
    "Fasse in einem Satz zusammen, was ein API-Gateway tut.",
    "Explain the difference between latency and throughput in two sentences.",
    "Nenne drei Gründe für Datenresidenz in der EU.",
    "Write a haiku about circuit breakers.",
    "Was ist der Unterschied zwischen Brutto und Netto?",
)
FAILOVER_TIER = "cheap"


@dataclass
class Call:
    latency_ms: float
    status: int
    provider: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None


@dataclass
class ModelResult:
    provider: str
    model: str
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    cost_usd_per_1k_tokens: float | None
    error_samples: list[str] = field(default_factory=list)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default=os.environ.get("GATEWAY_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--api-key", default=os.environ.get("GATEWAY_API_KEY"), help="a tenant key of the gateway")
    parser.add_argument("--providers", nargs="+", default=["anthropic", "openai"])
    parser.add_argument("--prompts", type=int, default=20, help="requests per model")
    parser.add_argument("--models-per-provider", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--output-dir", type=Path, default=Path("benchmark_results"))
    parser.add_argument("--mock-control", nargs="*", default=[], metavar="PROVIDER=URL",
                        help="the mock server of a provider, to make it fail in the failover test")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if not args.api_key:
        parser.error("--api-key or GATEWAY_API_KEY is required")
    return args


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (p50, p95): a measured value, never an interpolation between two."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return round(ordered[int(rank) - 1], 2)


def models_by_provider(client: httpx.Client, providers: list[str], limit: int) -> dict[str, list[str]]:
    listed = client.get("/v1/models").raise_for_status().json()["data"]
    found: dict[str, list[str]] = {p: [] for p in providers}
    for model in listed:
        owner = str(model["owned_by"]).removeprefix("mock-")
        if owner in found and len(found[owner]) < limit:
            found[owner].append(model["id"])
    return found


def chat(client: httpx.Client, model: str, prompt: str, max_tokens: int) -> Call:
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens}
    started = time.perf_counter()
    try:
        response = client.post("/v1/chat/completions", json=body)
    except httpx.HTTPError as exc:
        return Call(round((time.perf_counter() - started) * 1000, 2), 0, None, error=type(exc).__name__)
    latency = round((time.perf_counter() - started) * 1000, 2)
    provider = response.headers.get("x-gateway-provider")
    if response.status_code != 200:
        code = _error_code(response)
        return Call(latency, response.status_code, provider, error=f"{response.status_code} {code}")
    usage = response.json().get("usage") or {}
    return Call(latency, 200, provider, usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0))


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "unknown"


@functools.lru_cache(maxsize=1)
def _catalog() -> Any:
    try:
        from gateway.catalog import load_catalog
    except ImportError:  # run outside the gateway's environment: no prices, costs show as 0
        return None
    return load_catalog(None)


def usd_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """List-price cost in USD from the gateway's model catalog (0 for a model it does not know)."""
    catalog = _catalog()
    entry = catalog.model(model) if catalog is not None else None
    if entry is None:
        return 0.0
    price = entry.price_usd_per_1m
    return (prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000


def summarise(provider: str, model: str, calls: list[Call]) -> ModelResult:
    ok = [c for c in calls if c.error is None]
    prompt = sum(c.prompt_tokens for c in ok)
    completion = sum(c.completion_tokens for c in ok)
    cost = usd_cost(model, prompt, completion)
    tokens = prompt + completion
    return ModelResult(
        provider=provider,
        model=model,
        requests=len(calls),
        errors=len(calls) - len(ok),
        p50_ms=percentile([c.latency_ms for c in ok], 0.50),
        p95_ms=percentile([c.latency_ms for c in ok], 0.95),
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=round(cost, 8),
        cost_usd_per_1k_tokens=round(cost / tokens * 1000, 8) if tokens else None,
        error_samples=sorted({c.error for c in calls if c.error})[:5],
    )


def run_models(client: httpx.Client, args: argparse.Namespace, models: dict[str, list[str]]) -> list[ModelResult]:
    total = sum(len(m) for m in models.values()) * args.prompts
    results = []
    with tqdm(total=total, desc="benchmark", unit="req", disable=args.no_progress, file=sys.stderr) as bar:
        for provider, names in models.items():
            for model in names:
                calls = []
                for n in range(args.prompts):
                    calls.append(chat(client, model, PROMPTS[n % len(PROMPTS)], args.max_tokens))
                    bar.update()
                results.append(summarise(provider, model, calls))
    return results


def failover_test(client: httpx.Client, args: argparse.Namespace) -> dict[str, Any]:
    """Find who answers a tier request, make that provider fail once, and see who answers instead."""
    controls = dict(item.split("=", 1) for item in args.mock_control)
    before = chat(client, FAILOVER_TIER, PROMPTS[0], args.max_tokens)
    result: dict[str, Any] = {"request_model": FAILOVER_TIER, "primary_provider": before.provider}
    if before.error is not None or before.provider is None:
        return {**result, "status": "error", "detail": f"the tier request itself failed: {before.error}"}
    control = controls.get(before.provider)
    if control is None:
        detail = (f"skipped: no mock control URL for '{before.provider}' (real providers cannot be made to fail "
                  "on purpose; pass --mock-control PROVIDER=URL against the mocks)")
        return {**result, "status": "skipped", "detail": detail}
    fault_url = control.rstrip("/") + "/_mock/faults"
    httpx.post(fault_url, json={"fault": "http_500", "count": 1}, timeout=10).raise_for_status()
    try:
        after = chat(client, FAILOVER_TIER, PROMPTS[0], args.max_tokens)
    finally:
        httpx.delete(fault_url, timeout=10)
    passed = after.error is None and after.provider not in (None, before.provider)
    return {
        **result,
        "fault": "http_500 on the primary provider's next call",
        "fallback_provider": after.provider,
        "fallback_status": after.status,
        "fallback_latency_ms": after.latency_ms,
        "status": "passed" if passed else "failed",
        "detail": after.error or "",
    }


def write_reports(out: Path, meta: dict[str, Any], results: list[ModelResult], failover: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    payload = {**meta, "results": [asdict(r) for r in results], "failover": failover}
    (out / "results.json").write_text(json.dumps(payload, indent=2) + "\n")
    (out / "summary.md").write_text(summary_markdown(meta, results))
    (out / "failover_test.md").write_text(failover_markdown(failover))


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def summary_markdown(meta: dict[str, Any], results: list[ModelResult]) -> str:
    lines = [
        "# Benchmark summary",
        "",
        (f"Gateway {meta['base_url']}, {meta['prompts']} prompts per model, max_tokens {meta['max_tokens']}, "
         f"run at {meta['started_at']}. Latency is measured at the client, through the gateway."),
        "",
        "| provider | model | requests | errors | p50 ms | p95 ms | tokens in | tokens out | USD per 1K tokens |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.provider} | {r.model} | {r.requests} | {r.errors} | {_fmt(r.p50_ms)} | {_fmt(r.p95_ms)} | "
            f"{r.prompt_tokens} | {r.completion_tokens} | {_fmt(r.cost_usd_per_1k_tokens, 6)} |"
        )
    missing = [p for p, models in meta["models"].items() if not models]
    if missing:
        lines += ["", f"Not available on this gateway: {', '.join(missing)}."]
    return "\n".join(lines) + "\n"


def failover_markdown(failover: dict[str, Any]) -> str:
    lines = ["# Failover test", "", f"Status: **{failover['status']}**", ""]
    lines += [f"- {key}: {value}" for key, value in failover.items() if key != "status"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    headers = {"authorization": f"Bearer {args.api_key}"}
    with httpx.Client(base_url=args.base_url, headers=headers, timeout=args.timeout) as client:
        models = models_by_provider(client, args.providers, args.models_per_provider)
        meta = {
            "base_url": args.base_url,
            "providers": args.providers,
            "models": models,
            "prompts": args.prompts,
            "max_tokens": args.max_tokens,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        results = run_models(client, args, models)
        failover = failover_test(client, args)
    write_reports(args.output_dir, meta, results, failover)
    print(f"wrote {args.output_dir}/results.json, summary.md, failover_test.md", file=sys.stderr)
    return 0 if all(r.errors == 0 for r in results) and failover["status"] != "failed" else 1


if __name__ == "__main__":
    sys.exit(main())
