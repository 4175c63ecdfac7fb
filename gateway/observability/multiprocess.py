"""Prometheus multiprocess mode for `gateway serve --workers N`.

Each uvicorn worker is its own process with its own counters; a scrape reaches one of them. prometheus-client's
multiprocess mode makes every worker write its values to files in one directory, and the exposition sums them.
The directory must be set before the workers import prometheus-client (it picks its value class at import), and
emptied at start: files of a previous run would be counted again.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir(workers: int, env: MutableMapping[str, str]) -> Path | None:
    """For more than one worker: the (emptied) metrics directory, created when `env` names none, and set in `env`.

    Returns None for a single worker, which keeps its metrics in memory (multiprocess mode costs a file write
    per update).
    """
    if workers <= 1 and not env.get(ENV):
        return None
    directory = Path(env.get(ENV) or tempfile.mkdtemp(prefix="gateway-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    env[ENV] = str(directory)
    return directory


def remove_multiprocess_dir(directory: Path | None, created: bool) -> None:
    """Remove a directory this process created for the run (one the operator named is left alone)."""
    if directory is not None and created:
        shutil.rmtree(directory, ignore_errors=True)
