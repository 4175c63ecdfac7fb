"""The soak's verdict: errors and RSS growth fail it; latency is judged on quarters of the run, so one slow
window does not decide, but a real trend does."""

from __future__ import annotations

from typing import Any

from bench.soak import verdict


def _windows(p50s: list[float], rss: float = 100.0, errors: int = 0) -> list[dict[str, Any]]:
    return [{"p50_ms": p50, "rss_mib": rss, "errors": errors, "requests": 1000} for p50 in p50s]


WARM = {"rss_mib": 100.0}


def test_one_slow_first_window_does_not_fail_a_flat_run() -> None:
    result = verdict(WARM, _windows([51.1, 36.0, 37.2, 35.5, 36.4, 36.9, 35.8, 37.0, 36.1, 37.4, 35.9, 36.6]))
    assert result["passed"]
    assert abs(result["p50_drift"]) < 0.05


def test_a_steady_rise_in_latency_fails() -> None:
    result = verdict(WARM, _windows([30.0 + 2 * i for i in range(12)]))
    assert not result["passed"]
    assert result["p50_drift"] > 0.25


def test_memory_growth_or_an_error_fails() -> None:
    flat = [36.0] * 8
    assert not verdict(WARM, _windows(flat, rss=111.0))["passed"]
    assert not verdict(WARM, _windows(flat, errors=1))["passed"]
    assert verdict(WARM, _windows(flat, rss=109.0))["passed"]
