"""Optional py-spy profile of the gateway while wrk drives it, plus a summary of the hottest frames.

`--gil` keeps only samples that hold the GIL: Python work, not threads blocked in C (aiosqlite's queue).
Two recordings of the same load: an SVG flame graph for people, and py-spy's collapsed-stack ("raw") text
from which the top frames by self time and by inclusive time are counted for the report.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Hotspots:
    """Top frames of a profile, each as (frame, share of all samples in percent)."""

    samples: int
    self_time: list[tuple[str, float]]
    inclusive_gateway: list[tuple[str, float]]


def available() -> bool:
    """True when py-spy is on PATH."""
    return shutil.which("py-spy") is not None


def record(pid: int, out: Path, seconds: int, fmt: str, load: Callable[[], object]) -> None:
    """Record `pid` with py-spy for `seconds` while `load()` runs (load should last as long)."""
    command = [
        "py-spy",
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(seconds),
        "--rate",
        "200",
        "--gil",
        "--format",
        fmt,
        "--output",
        str(out),
    ]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        load()
        _, err = spy.communicate(timeout=seconds + 60)
    finally:
        if spy.poll() is None:
            spy.kill()
            spy.wait(5)
    if spy.returncode != 0 or not out.exists():
        raise RuntimeError(f"py-spy failed ({spy.returncode}): {err.decode(errors='replace').strip()}")


def _frame_name(frame: str) -> str:
    """`handle (gateway/pipeline.py:70)` -> `handle (gateway/pipeline.py)`: lines split one function apart."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0].rstrip(")")
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif "/gateway/" in path:
        path = "gateway/" + path.split("/gateway/", 1)[1]
    elif "/lib/python3" in path:
        path = path.split("/lib/python3", 1)[1].partition("/")[2]
    return f"{name} ({path})" if path else name


def summarise(collapsed: Path, top: int = 15) -> Hotspots:
    """Count self time per frame and inclusive time per gateway/ frame from py-spy's raw output."""
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        if stack.startswith("Thread._bootstrap"):
            continue  # worker threads (aiosqlite) wait in C; only the event-loop thread counts
        frames = [_frame_name(f) for f in stack.split(";")]
        total += count
        self_time[frames[-1]] += count
        for frame in set(frames):
            if "(gateway/" in frame:
                inclusive[frame] += count

    def shares(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(frame, round(100 * n / total, 1)) for frame, n in counter.most_common(top)] if total else []

    return Hotspots(samples=total, self_time=shares(self_time), inclusive_gateway=shares(inclusive))
