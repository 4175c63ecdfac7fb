"""A target of the comparison: where the load goes, with which headers, and which process tree to charge."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SkipError(RuntimeError):
    """A target cannot be installed or started; the run goes on without it and records why."""


@dataclass
class Target:
    """One proxy (or the upstream itself) under load.

    Attributes:
        name: Row label, e.g. `litellm` or `gateway-full`.
        version: What exactly ran (package version, git commit).
        url: The chat completions URL the load generator posts to.
        headers: Request headers (auth, routing headers of the peer).
        proc: The process whose tree's CPU time is charged to the target; None for the direct baseline.
        details: Settings and features to record in the JSON.
    """

    name: str
    version: str
    url: str
    headers: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    details: dict[str, Any] = field(default_factory=dict)


def start_in(cwd: Path, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """bench/procs.py's `start`, but in `cwd` (the work directory: no `.env` of the repo is picked up)."""
    with log.open("wb") as handle:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
