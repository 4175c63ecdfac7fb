"""Exact-hit latency through the real gateway: `gateway serve --demo` on loopback (mock upstream inside),
one client connection, one request at a time (concurrency 1), keep-alive."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from bench import procs

SYSTEM = "Du bist der Kundenservice von Beispiel GmbH. Antworte kurz, freundlich und auf Deutsch."
QUESTION = "Wie lange dauert der Versand nach Österreich, und was kostet er für ein Paket unter 5 kg?"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {
        "n": len(ordered),
        "p50_ms": pick(0.5),
        "p90_ms": pick(0.9),
        "p99_ms": pick(0.99),
        "max_ms": round(ordered[-1], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def _body(question: str, stream: bool = False) -> dict[str, Any]:
    return {
        "model": "gpt-4o-mini",
        "temperature": 0,
        "stream": stream,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}],
    }


def _timed(client: httpx.Client, body: dict[str, Any], expect: str) -> float:
    started = time.perf_counter()
    response = client.post("/v1/chat/completions", json=body)
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or response.headers.get("x-gateway-cache") != expect:
        raise RuntimeError(
            f"unexpected answer {response.status_code} {response.headers.get('x-gateway-cache')}"
        )
    return elapsed


def run(hits: int, misses: int, warmup: int = 200) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="cache-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db",
        "LOG_LEVEL": "warning",
        "CACHE_EMBEDDINGS": "off",
        "PYTHONPATH": str(REPO),
    }  # this tree, whatever is pip-installed
    key = procs.create_key(env, workdir, tenant="cache-bench")
    port = procs.free_port()
    command = [
        sys.executable,
        "-m",
        "gateway.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--demo",
    ]
    gateway = procs.start(command, env, workdir / "gateway.log")
    try:
        procs.wait_healthy(f"http://127.0.0.1:{port}/health", gateway)
        headers = {"authorization": f"Bearer {key}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client:
            _timed(client, _body(QUESTION), "miss")
            for _ in range(warmup):
                _timed(client, _body(QUESTION), "hit-exact")
            hit_ms = [_timed(client, _body(QUESTION), "hit-exact") for _ in range(hits)]
            stream_ms = [_timed(client, _body(QUESTION, stream=True), "hit-exact") for _ in range(hits // 4)]
            miss_ms = [_timed(client, _body(f"{QUESTION} (Frage {i})"), "miss") for i in range(misses)]
    finally:
        procs.stop(gateway)
    return {
        "setup": "gateway serve --demo (1 worker) on loopback, httpx client, concurrency 1, keep-alive",
        "exact_hit_json": percentiles(hit_ms),
        "exact_hit_sse": percentiles(stream_ms),
        "miss_json_mock_upstream": percentiles(miss_ms),
    }
