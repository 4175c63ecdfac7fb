"""Compare this gateway with its peers: the same workload direct, through LiteLLM, Portkey and this gateway.

    python -m bench.compare [--duration 10] [--warmup 2] [--skip portkey] [--no-pin] [--out bench/results]
    python bench/compare/run.py ...             (the same)

Installs the peers on first use (bench/.venv-litellm, bench/.portkey; both git-ignored), starts
bench/fast_upstream.py, then for each target in turn (direct, litellm, portkey, gateway-passthrough,
gateway-full) starts it, runs every point (concurrency 1, 16, 64; non-streaming and streaming) with
bench/compare/loadgen.py, and stops it. A target that cannot be installed or started is skipped with its reason.
Writes compare.json and compare.md to --out. See bench/compare/README.md for the method.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `python bench/compare/run.py` puts only bench/compare on the path
    sys.path.insert(0, str(ROOT))

from bench import procs
from bench.compare import ours, peers, report, workload
from bench.compare.target import SkipError, Target

TARGETS = ("direct", "litellm", "portkey", "gateway-passthrough", "gateway-full")
CONCURRENCIES = (1, 16, 64)
PACED_CONCURRENCY = 16


@dataclass
class Config:
    """Command-line options."""

    duration: float
    warmup: float
    out: Path
    pin: bool
    skip: tuple[str, ...]

    def cpus(self) -> tuple[str | None, str | None]:
        """(proxy CPU, upstream + load generator CPU) when pinning is on and there are two cores."""
        cores = sorted(os.sched_getaffinity(0))
        if not self.pin or len(cores) < 2:
            return None, None
        return str(cores[0]), str(cores[1])


@dataclass
class Run:
    """The running setup and everything measured so far."""

    config: Config
    workdir: Path
    upstream: subprocess.Popen[bytes] | None = None
    upstream_port: int = 0
    current: Target | None = None
    points: list[dict[str, Any]] = field(default_factory=list)
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def _cpu(target: Target, run: Run) -> tuple[float, float]:
    """(proxy tree CPU s, upstream CPU s) now."""
    assert run.upstream is not None
    proxy = procs.cpu_seconds(target.proc.pid) if target.proc is not None else 0.0
    return proxy, procs.cpu_seconds(run.upstream.pid)


def load(run: Run, target: Target, concurrency: int, stream: bool, paced: bool = False) -> dict[str, Any]:
    """One point: the load generator in its own pinned process; CPU read at its phase markers."""
    job = {
        "url": target.url,
        "headers": target.headers,
        "template": workload.body_template(stream, paced),
        "concurrency": concurrency,
        "warmup": run.config.warmup,
        "duration": run.config.duration,
        "stream": stream,
        "stagger": workload.PACED_MS / 1000 if paced else 0.0,
    }
    command = procs.pinned([sys.executable, "-m", "bench.compare.loadgen"], run.config.cpus()[1])
    proc = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(job))
    proc.stdin.close()
    before = after = (0.0, 0.0)
    result: dict[str, Any] | None = None
    for line in proc.stdout:
        if line.strip() == "measure-start":
            before = _cpu(target, run)
        elif line.strip() == "measure-end":
            after = _cpu(target, run)
        elif line.startswith("result "):
            result = json.loads(line[len("result ") :])
    if proc.wait(60) != 0 or result is None:
        raise RuntimeError(f"load generator failed (exit {proc.returncode}) for {target.name}")
    done = result["requests"] or 1
    proxy_cpu = (after[0] - before[0]) * 1000 / done if target.proc is not None else None
    return {
        "target": target.name,
        "concurrency": concurrency,
        "stream": stream,
        "paced": paced,
        **result,
        "proxy_cpu_ms_per_request": round(proxy_cpu, 3) if proxy_cpu is not None else None,
        "upstream_cpu_ms_per_request": round((after[1] - before[1]) * 1000 / done, 3),
    }


def probe(target: Target, stream: bool) -> None:
    """One request before measuring: a misconfigured target is skipped instead of timed for a minute."""
    body = workload.body_template(stream).replace(workload.SEQ, "probe-" + os.urandom(3).hex()).encode()
    headers = {"Content-Type": "application/json", **target.headers}
    request = urllib.request.Request(target.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # loopback URL we built
            text = response.read()
    except OSError as exc:
        detail = exc.read()[:300] if hasattr(exc, "read") else b""
        raise SkipError(f"probe request failed: {exc} {detail!r}") from exc
    if (b"[DONE]" if stream else b'"choices"') not in text:
        raise SkipError(f"probe answer is not a chat completion: {text[:300]!r}")


def start(run: Run, name: str) -> Target:
    """Start one target on the proxy CPU."""
    cpu = run.config.cpus()[0]
    if name == "direct":
        url = f"http://127.0.0.1:{run.upstream_port}/v1/chat/completions"
        return Target("direct", "bench/fast_upstream.py (no proxy)", url, {"Authorization": "Bearer x"})
    if name == "litellm":
        return peers.start_litellm(run.workdir, run.upstream_port, cpu)
    if name == "portkey":
        return peers.start_portkey(run.workdir, run.upstream_port, cpu)
    return ours.start_gateway(name.removeprefix("gateway-"), run.workdir, run.upstream_port, cpu)


def working_modes(run: Run, target: Target) -> list[bool]:
    """The modes (stream False/True) the target answers; a failing mode is recorded as skipped."""
    modes = []
    for stream in (False, True):
        try:
            probe(target, stream)
            modes.append(stream)
        except SkipError as exc:
            label = f"{target.name} ({'streaming' if stream else 'non-streaming'})"
            print(f"   {label} SKIPPED: {exc}", flush=True)
            run.skipped[label] = str(exc)
    return modes


def measure_target(run: Run, name: str) -> None:
    """Start, probe, run every point, record evidence, stop. A SkipError skips the target (or one mode)."""
    print(f"== {name}", flush=True)
    try:
        target = run.current = start(run, name)
    except SkipError as exc:
        print(f"   SKIPPED: {exc}", flush=True)
        run.skipped[name] = str(exc)
        return
    modes = working_modes(run, target)
    for stream in modes:
        for concurrency in CONCURRENCIES:
            point = load(run, target, concurrency, stream)
            run.points.append(point)
            print(
                f"   {'stream' if stream else 'json':6} c={concurrency:<3} {point['rps']:>8.1f} req/s  "
                f"ttfb p50 {point['ttfb_ms']['p50']:7.2f}  total p50 {point['total_ms']['p50']:7.2f} "
                f"p99 {point['total_ms']['p99']:8.2f} ms  cpu/req {point['proxy_cpu_ms_per_request']} ms  "
                f"errors {point['errors']}",
                flush=True,
            )
    if True in modes:  # a model's time to first token: the proxy is far from saturated, as in real use
        adjacent = None
        if name != "direct":  # direct again just before: what the proxy adds, without minutes of machine drift
            adjacent = load(run, start(run, "direct"), PACED_CONCURRENCY, True, paced=True)
        point = load(run, target, PACED_CONCURRENCY, True, paced=True)
        if adjacent is not None:
            point["direct_just_before"] = {"ttfb_ms": adjacent["ttfb_ms"], "total_ms": adjacent["total_ms"]}
        run.points.append(point)
        print(
            f"   paced  c={PACED_CONCURRENCY:<3} {point['rps']:>8.1f} req/s  ttfb p50 {point['ttfb_ms']['p50']:7.2f}"
            f"  cpu/req {point['proxy_cpu_ms_per_request']} ms  errors {point['errors']}",
            flush=True,
        )
    record: dict[str, Any] = {"version": target.version, "details": target.details}
    if name.startswith("gateway-"):
        record["evidence"] = ours.evidence(target)
    run.targets[name] = record
    procs.stop(target.proc)
    run.current = None


@contextmanager
def one_gateway(config: Config, profile: str, prefix: str) -> Iterator[tuple[Run, Target]]:
    """The fast upstream and this gateway in `profile`, pinned like a comparison run, in a temporary work
    directory; both stopped on leaving (bench/profile_full.py and bench/soak.py drive one target only)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        run = Run(config=config, workdir=Path(tmp))
        proxy_cpu, load_cpu = config.cpus()
        run.upstream, run.upstream_port = procs.start_upstream(
            ROOT / "bench" / "fast_upstream.py", load_cpu, run.workdir / "upstream.log"
        )
        target = None
        try:
            target = ours.start_gateway(profile, run.workdir, run.upstream_port, proxy_cpu)
            yield run, target
        finally:
            procs.stop(target.proc if target else None)
            procs.stop(run.upstream)


def run_all(run: Run) -> None:
    """The upstream, then every target not skipped on the command line."""
    proxy_cpu, load_cpu = run.config.cpus()
    print(f"pinning: proxies -> CPU {proxy_cpu}, upstream + load generator -> CPU {load_cpu}", flush=True)
    run.upstream, run.upstream_port = procs.start_upstream(
        ROOT / "bench" / "fast_upstream.py", load_cpu, run.workdir / "upstream.log"
    )
    for name in TARGETS:
        if name in run.config.skip:
            run.skipped[name] = "skipped on the command line (--skip)"
            continue
        measure_target(run, name)


def write_results(run: Run, info: dict[str, Any]) -> None:
    """compare.json and compare.md in --out."""
    config = {
        "duration_s": run.config.duration,
        "warmup_s": run.config.warmup,
        "pinning": run.config.cpus(),
        "concurrencies": CONCURRENCIES,
        "body_bytes": workload.body_bytes(False),
        "paced": {"concurrency": PACED_CONCURRENCY, "upstream_delay_ms": workload.PACED_MS},
        "load_generator": "bench/compare/loadgen.py (aiohttp, uvloop, closed loop, one process)",
    }
    data = {
        "machine": info,
        "config": config,
        "targets": run.targets,
        "skipped": run.skipped,
        "points": run.points,
    }
    run.config.out.mkdir(parents=True, exist_ok=True)
    (run.config.out / "compare.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (run.config.out / "compare.md").write_text(report.markdown(data))
    print(f"wrote {run.config.out / 'compare.json'} and {run.config.out / 'compare.md'}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def parse_args(argv: list[str] | None) -> Config:
    """Command-line options -> Config."""
    parser = argparse.ArgumentParser(description="Compare this gateway with LiteLLM and Portkey.")
    parser.add_argument("--duration", type=float, default=10, help="measured seconds per point (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds per point (default 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="output directory")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin processes to cores")
    parser.add_argument("--skip", action="append", default=[], choices=TARGETS, help="leave a target out")
    args = parser.parse_args(argv)
    return Config(args.duration, args.warmup, args.out.resolve(), args.pin, tuple(args.skip))


def main(argv: list[str] | None = None) -> int:
    """Run the comparison; always stop every process it started. Exit 1 when any point had errors."""
    config = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    run = Run(config, Path(tempfile.mkdtemp(prefix="gateway-compare-")))
    info: dict[str, Any] = procs.machine_info()
    info.pop("wrk", None)
    started = time.monotonic()
    points = len(TARGETS) * len(CONCURRENCIES) * 2
    print(
        f"about {points * (config.duration + config.warmup + 1) / 60:.0f} min of load plus start-ups; "
        f"work directory {run.workdir}",
        flush=True,
    )
    try:
        run_all(run)
    except KeyboardInterrupt:
        print(f"interrupted; logs kept in {run.workdir}", file=sys.stderr)
        return 130
    except Exception:
        print(f"comparison failed; logs kept in {run.workdir}", file=sys.stderr)
        raise
    finally:
        procs.stop(run.current.proc if run.current else None)
        procs.stop(run.upstream)
    info["wall_seconds"] = round(time.monotonic() - started, 1)
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    write_results(run, info)
    shutil.rmtree(run.workdir, ignore_errors=True)
    return 0 if all(p["errors"] == 0 for p in run.points) else 1


if __name__ == "__main__":
    raise SystemExit(main())
