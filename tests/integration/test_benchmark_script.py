"""scripts/benchmark.py against the real gateway on loopback in front of the mock providers: it writes its three
files, with numbers for every requested provider and a failover test that passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import PROVIDERS, running_stack

ROOT = Path(__file__).parents[2]


@dataclass
class Served:
    url: str
    key: str
    controls: list[str]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with running_stack(tmp_path_factory.mktemp("bench"), tenant="bench-tenant") as stack:
        controls = [f"{name}={stack.mocks[spec[0]].url}" for name, spec in PROVIDERS.items()]
        yield Served(stack.url, stack.key, controls)


@pytest.fixture(scope="module")
def output(served: Served, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results")
    command = [
        sys.executable, str(ROOT / "scripts" / "benchmark.py"),
        "--base-url", served.url, "--providers", "anthropic", "openai", "--prompts", "5",
        "--output-dir", str(out), "--mock-control", *served.controls,
    ]
    env = {**os.environ, "GATEWAY_API_KEY": served.key, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def test_writes_the_three_files(output: Path) -> None:
    assert sorted(p.name for p in output.iterdir()) == ["failover_test.md", "results.json", "summary.md"]


def test_results_cover_each_provider_without_errors(output: Path) -> None:
    results = json.loads((output / "results.json").read_text())["results"]
    assert sorted(r["provider"] for r in results) == ["anthropic", "openai"]
    assert all(r["requests"] == 5 and r["errors"] == 0 for r in results)


def test_results_have_latency_percentiles_tokens_and_cost(output: Path) -> None:
    for r in json.loads((output / "results.json").read_text())["results"]:
        assert 0 < r["p50_ms"] <= r["p95_ms"]
        assert r["prompt_tokens"] > 0 and r["completion_tokens"] > 0
        assert r["cost_usd_per_1k_tokens"] > 0


def test_failover_answers_from_another_provider(output: Path) -> None:
    failover = json.loads((output / "results.json").read_text())["failover"]
    assert failover["status"] == "passed"
    assert failover["fallback_provider"] != failover["primary_provider"]
    assert "**passed**" in (output / "failover_test.md").read_text()


def test_summary_table_lists_each_model(output: Path) -> None:
    summary = (output / "summary.md").read_text()
    for r in json.loads((output / "results.json").read_text())["results"]:
        assert f"| {r['provider']} | {r['model']} | 5 | 0 |" in summary
