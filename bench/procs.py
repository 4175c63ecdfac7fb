"""Processes under test: start, wait for, measure (CPU seconds from /proc) and always stop them.

No psutil: /proc/<pid>/stat gives utime + stime for all threads of a process, and
/proc/<pid>/task/<tid>/children lists child processes, so the CPU of a process tree is a sum over it.
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def pinned(command: Sequence[str], cpu: str | None) -> list[str]:
    """Prefix a command with `taskset -c <cpu>` when pinning is on and taskset exists."""
    if cpu is None or shutil.which("taskset") is None:
        return list(command)
    return ["taskset", "-c", cpu, *command]


def free_port() -> int:
    """A free TCP port on loopback (tiny race until the server binds it; fine for a benchmark)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: Sequence[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server in its own session (Ctrl-C reaches only us; we stop it), stderr+stdout to `log`."""
    handle: IO[bytes] = log.open("wb")
    return subprocess.Popen(
        list(command),
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def start_upstream(script: Path, cpu: str | None, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start bench/fast_upstream.py on a free port; returns the process and the port it printed."""
    command = pinned([sys.executable, str(script), "--port", "0"], cpu)
    proc = start(command, dict(os.environ), log)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("listening "):
                return proc, int(line.split()[1])
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    stop(proc)
    raise RuntimeError(f"fast upstream did not start; see {log}")


def create_key(env: dict[str, str], cwd: Path, tenant: str = "bench", pii: str = "redact") -> str:
    """A tenant with the given PII policy, and a key for it (the last line of stdout)."""
    subprocess.run(
        ["gateway", "tenants", "create", tenant, "--pii", pii],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    done = subprocess.run(
        ["gateway", "keys", "create", "--tenant", tenant],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"gateway keys create failed: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1].strip()


def wait_healthy(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Poll `url` until it answers 200; fail early if the process exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # loopback URL we built
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")


def stop(proc: subprocess.Popen[bytes] | None, grace: float = 12) -> None:
    """SIGTERM the process (by pid), wait, then SIGKILL. Safe to call twice."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def descendants(pid: int) -> list[int]:
    """pid and all its descendants (uvicorn with workers > 1 forks; with one worker it runs in-process)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += descendants(int(child))
    return found


def cpu_seconds(pid: int) -> float:
    """utime + stime (all threads) of pid and its descendants, in seconds."""
    total = 0
    for member in descendants(pid):
        try:
            stat = Path(f"/proc/{member}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may contain spaces
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of proc(5)
    return total / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine spent not idle since boot (the `cpu` line of /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal; guest is inside user
    return busy / CLOCK_TICKS


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _version(command: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "missing"
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "unknown"


def machine_info() -> dict[str, object]:
    """What the numbers were measured on."""
    dirty = bool(_git("status", "--porcelain", "--", "gateway"))
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "wrk": _version(["wrk", "-v"]),
        "gateway_commit": _git("rev-parse", "HEAD") + ("+dirty" if dirty else ""),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        # well above 0 before the run means other work shared the cores
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
