"""Several worker processes, one exposition: prometheus-client's multiprocess mode as `serve --workers` sets it up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gateway.observability.multiprocess import ENV, prepare_multiprocess_dir

_WORKER = """
import time
from types import SimpleNamespace
from gateway.observability.metrics import GatewayMetrics
from gateway.settle import Settlement
from gateway.tenancy.costs import Cost
from gateway.types import Usage
m = GatewayMetrics()
m.observe(Settlement(request_id="r", started=time.perf_counter(), usage=Usage(), status=429,
                     error_code="rate_limit_exceeded",
                     tenant=SimpleNamespace(tenant_name="acme")), Cost(0, 0, 0, 0))
"""
_SCRAPE = "from gateway.observability.metrics import GatewayMetrics; print(GatewayMetrics().exposition().decode())"


def _python(code: str, directory: Path) -> str:
    env = {**os.environ, ENV: str(directory), "PYTHONPATH": str(Path.cwd())}
    return subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout


def test_exposition_sums_every_worker(tmp_path: Path) -> None:
    for _ in range(2):
        _python(_WORKER, tmp_path)
    text = _python(_SCRAPE, tmp_path)
    assert 'gateway_rejections_total{reason="rate_limit_exceeded",tenant="acme"} 2.0' in text


def test_prepare_empties_stale_files_and_sets_env(tmp_path: Path) -> None:
    (tmp_path / "counter_1.db").write_bytes(b"stale")
    env = {ENV: str(tmp_path)}
    assert prepare_multiprocess_dir(4, env) == tmp_path
    assert not list(tmp_path.glob("*.db"))


def test_prepare_creates_a_directory_for_several_workers() -> None:
    env: dict[str, str] = {}
    directory = prepare_multiprocess_dir(2, env)
    assert directory is not None and directory.is_dir() and env[ENV] == str(directory)
    directory.rmdir()


def test_single_worker_stays_in_memory() -> None:
    env: dict[str, str] = {}
    assert prepare_multiprocess_dir(1, env) is None and ENV not in env
