"""The comparison's paced table: a proxy's added first-token time is over direct measured just before it."""

from __future__ import annotations

from typing import Any

from bench.compare import report


def _point(target: str, ttfb_p50: float, **extra: Any) -> dict[str, Any]:
    figures = {"p50": ttfb_p50, "p99": ttfb_p50 + 1}
    return {
        "target": target, "concurrency": 16, "stream": True, "paced": True, "rps": 50.0, "errors": 0,
        "ttfb_ms": figures, "total_ms": figures, "proxy_cpu_ms_per_request": None, **extra,
    }


def _added(rows: list[str], target: str) -> str:
    row = next(line for line in rows if line.startswith(f"| {target} |"))
    return row.split("|")[6].strip()  # (before the first bar,) target, c, req/s, TTFB p50, TTFB p99, then TTFB p50 over direct


def test_a_paced_point_is_taken_over_direct_measured_just_before_it() -> None:
    points = [
        _point("direct", 300.5),
        _point("gateway-full", 303.0, direct_just_before={"ttfb_ms": {"p50": 301.0}, "total_ms": {"p50": 301.0}}),
        _point("older-run", 303.0),  # a compare.json from before: over the first direct point
    ]
    rows = report._table(points, stream=True, paced=True)
    assert _added(rows, "gateway-full") == "2.00"
    assert _added(rows, "older-run") == "2.50"
    assert _added(rows, "direct") == "-"
