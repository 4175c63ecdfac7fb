"""Soak: the full pipeline under steady load for ten minutes; memory, errors and latency per window.

    python bench/soak.py                          # 60 s warm-up, then 20 windows of 30 s at c=16
    python bench/soak.py --windows 4 --window 15  # a short run to try it out

Starts bench/fast_upstream.py and the gateway in bench/compare's `full` profile (PostgreSQL, Redis, PII redact,
exact cache with every request a miss, audit log, ledger, metrics). bench/compare/loadgen.py drives it closed-loop
(`--concurrency` connections, each sending its next request when the previous answer is read) in back-to-back
windows; after each window the gateway's resident memory (VmRSS of the process and its children) is read.

Passes when no request failed, RSS at the end is less than 10% above RSS after the warm-up, and latency is flat:
the median p50 of the last quarter of the windows is within 25% of the median p50 of the first quarter (a
quarter, not one window, so that one noisy 30 s window does not decide). Writes soak.json and soak.md to --out
(default bench/results/).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import procs
from bench.compare.run import Config, Run, load, one_gateway
from bench.compare.target import Target

RSS_GROWTH_LIMIT = 0.10
LATENCY_DRIFT_LIMIT = 0.25


def rss_mib(pid: int) -> float:
    """Resident memory of pid and its descendants, in MiB."""
    total_kib = 0
    for member in procs.descendants(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def _window(run: Run, target: Target, args: argparse.Namespace, seconds: float) -> dict[str, Any]:
    run.config.duration = seconds
    point = load(run, target, args.concurrency, args.stream)
    assert target.proc is not None
    return {
        "at_s": round(time.monotonic() - args.started, 1),
        "rps": point["rps"],
        "requests": point["requests"],
        "errors": point["errors"],
        "p50_ms": point["total_ms"]["p50"],
        "p99_ms": point["total_ms"]["p99"],
        "cpu_ms_per_request": point["proxy_cpu_ms_per_request"],
        "rss_mib": round(rss_mib(target.proc.pid), 1),
    }


def p50_drift(windows: list[dict[str, Any]]) -> tuple[float, float, float]:
    """(first, last, drift): the median p50 of the first and of the last quarter of the windows, and the change."""
    span = max(1, len(windows) // 4)
    first = statistics.median(w["p50_ms"] for w in windows[:span])
    last = statistics.median(w["p50_ms"] for w in windows[-span:])
    return first, last, (last - first) / first


def verdict(warm: dict[str, Any], windows: list[dict[str, Any]]) -> dict[str, Any]:
    """The pass/fail figures: RSS growth after warm-up, errors, latency drift from the first to the last quarter."""
    growth = (windows[-1]["rss_mib"] - warm["rss_mib"]) / warm["rss_mib"]
    first_p50, last_p50, drift = p50_drift(windows)
    errors = sum(w["errors"] for w in windows)
    return {
        "rss_after_warmup_mib": warm["rss_mib"],
        "rss_end_mib": windows[-1]["rss_mib"],
        "rss_max_mib": max(w["rss_mib"] for w in windows),
        "rss_growth": round(growth, 4),
        "p50_first_quarter_ms": round(first_p50, 3),
        "p50_last_quarter_ms": round(last_p50, 3),
        "p50_drift": round(drift, 4),
        "errors": errors,
        "requests": sum(w["requests"] for w in windows),
        "passed": errors == 0 and growth < RSS_GROWTH_LIMIT and abs(drift) < LATENCY_DRIFT_LIMIT,
    }


def markdown(info: dict[str, Any]) -> str:
    v, a, m = info["verdict"], info["args"], info["machine"]
    lines = [
        "# Soak: full pipeline under steady load",
        "",
        (
            f"`python bench/soak.py --windows {a['windows']} --window {a['window']} --concurrency {a['concurrency']}`"
            f" at git {m['gateway_commit'][:12]}, {m['date']}; {m['cpu_model']}, {m['cores']} cores; load average"
            f" (1/5/15 min) at start {m['load_average_at_start']}, at end {m['load_average_at_end']}."
        ),
        "",
        (
            f"- **{'PASSED' if v['passed'] else 'FAILED'}**: {v['requests']} requests, {v['errors']} errors; RSS "
            f"{v['rss_after_warmup_mib']} MiB after warm-up, {v['rss_end_mib']} MiB at the end (growth "
            f"{100 * v['rss_growth']:.1f}%, limit {100 * RSS_GROWTH_LIMIT:.0f}%; max {v['rss_max_mib']} MiB); p50 "
            f"median {v['p50_first_quarter_ms']} ms over the first quarter of the windows, "
            f"{v['p50_last_quarter_ms']} ms over the last: drift {100 * v['p50_drift']:+.1f}% "
            f"(limit ±{100 * LATENCY_DRIFT_LIMIT:.0f}%)."
        ),
        "",
        "| window end s | req/s | p50 ms | p99 ms | CPU ms/req | RSS MiB | errors |",
        "|--:|--:|--:|--:|--:|--:|--:|",
        *[
            f"| {w['at_s']} | {w['rps']} | {w['p50_ms']} | {w['p99_ms']} | {w['cpu_ms_per_request']} | "
            f"{w['rss_mib']} | {w['errors']} |"
            for w in [info["warmup"], *info["windows"]]
        ],
        "",
        "The first row is the warm-up window (not judged).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--windows", type=int, default=20)
    parser.add_argument("--window", type=float, default=30, help="seconds per window")
    parser.add_argument("--warmup", type=float, default=60, help="seconds of warm-up before the first window")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    machine = procs.machine_info()
    config = Config(duration=args.window, warmup=0.5, out=args.out, pin=True, skip=())
    with one_gateway(config, "full", "gw-soak-") as (run, target):
        args.started = time.monotonic()
        warm = _window(run, target, args, args.warmup)
        print(f"warm-up: {warm}", flush=True)
        windows = []
        for _ in range(args.windows):
            windows.append(_window(run, target, args, args.window))
            print(windows[-1], flush=True)
    info = {
        "machine": {**machine, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "args": {k: v for k, v in vars(args).items() if k not in ("out", "started")},
        "warmup": warm,
        "windows": windows,
        "verdict": verdict(warm, windows),
    }
    (args.out / "soak.json").write_text(json.dumps(info, indent=2))
    (args.out / "soak.md").write_text(markdown(info))
    print(markdown(info))
    return 0 if info["verdict"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
