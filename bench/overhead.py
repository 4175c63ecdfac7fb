"""Gateway overhead benchmark: the same load straight to a fast mock upstream and through the gateway.

    python bench/overhead.py [--duration 10] [--warmup 2] [--out bench/results] [--no-pin] [--profile]

Starts bench/fast_upstream.py, creates a key, starts `gateway serve --workers 1` in an empty temporary
directory (SQLite), then for every concurrency in 1, 16, 64 (non-streaming) and one streaming point at 16 runs
wrk against the upstream directly and through the gateway, once per variant: `passthrough` (the tenant's PII
policy is `allow`: key check, limits stage, routing, ledger and log only) and `pii` (the default policy: the
prompt is also scanned for German PII). Both run with LOG_LEVEL=info, the default. Writes overhead.json (machine info and every figure) and overhead.md (tables) to --out.
See bench/README.md for method and caveats.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import loadgen
import procs
import report
import spy

HERE = Path(__file__).resolve().parent
CONCURRENCIES = (1, 16, 64)
STREAM_CONCURRENCY = 16
# variant -> the tenant's default PII policy (each variant has its own tenant and key)
VARIANTS = {"passthrough": "allow", "pii": "redact"}
LOG_LEVELS = tuple(VARIANTS)  # the report's first column
PROMPT = (
    "Sehr geehrte Damen und Herren, ich schreibe Ihnen bezüglich meiner Rechnung vom 14. März, die ich über "
    "Ihr Kundenportal erhalten habe. Leider wurde mir der Betrag für den Monat Februar doppelt berechnet, "
    "obwohl ich meinen Vertrag bereits zum Ende Januar fristgerecht gekündigt hatte. Die Kündigungsbestätigung "
    "liegt mir schriftlich vor. Bitte fassen Sie den Sachverhalt in drei kurzen Sätzen zusammen, formulieren "
    "Sie eine höfliche Antwort an den Kunden, in der Sie die Stornierung der doppelten Abbuchung bestätigen, "
    "und nennen Sie die nächsten Schritte für die Gutschrift. Achten Sie auf einen freundlichen, sachlichen "
    "Ton, vermeiden Sie Fachjargon und schließen Sie mit einem Hinweis auf unsere Servicezeiten von Montag "
    "bis Freitag zwischen 8 und 18 Uhr. Falls Angaben fehlen, markieren Sie diese bitte deutlich im Text, "
    "damit ein Mitarbeiter sie vor dem Versand ergänzen kann. Vielen Dank für Ihre Unterstützung."
)


@dataclass
class Config:
    """Command-line options."""

    duration: float
    warmup: float
    out: Path
    pin: bool
    profile: bool

    def cpus(self) -> tuple[str | None, str | None]:
        """(gateway CPU, upstream+wrk CPU): separate cores when there are at least two and pinning is on."""
        if not self.pin or len(os.sched_getaffinity(0)) < 2:
            return None, None
        cores = sorted(os.sched_getaffinity(0))
        return str(cores[0]), str(cores[1])


@dataclass
class Bench:
    """The running setup and everything measured so far."""

    config: Config
    workdir: Path
    key: str = ""
    upstream: Any = None
    upstream_port: int = 0
    gateway: Any = None
    gateway_port: int = 0
    scripts: dict[tuple[str, bool], Path] = field(default_factory=dict)
    variant: str = "passthrough"
    points: list[dict[str, Any]] = field(default_factory=list)
    hotspots: spy.Hotspots | None = None


def request_body(stream: bool) -> bytes:
    """The chat request every run sends (about 1 KB)."""
    body: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": PROMPT}]}
    if stream:
        body["stream"] = True
    return json.dumps(body, ensure_ascii=False).encode()


def gateway_env(bench: Bench, log_level: str) -> dict[str, str]:
    """Environment for `gateway keys create` and `gateway serve`."""
    env = dict(os.environ)
    env.update(
        OPENAI_API_KEY="x",
        OPENAI_BASE_URL=f"http://127.0.0.1:{bench.upstream_port}/v1",
        DATABASE_URL=f"sqlite+aiosqlite:///{bench.workdir}/bench.db",
        LOG_LEVEL="info",
    )
    return env


def start_gateway(bench: Bench, log_level: str) -> None:
    """Start `gateway serve` with one worker on the gateway CPU and wait for /health."""
    bench.gateway_port = procs.free_port()
    command = ["gateway", "serve", "--host", "127.0.0.1", "--port", str(bench.gateway_port), "--workers", "1"]
    log = bench.workdir / f"gateway-{log_level}.log"
    bench.gateway = procs.start(
        procs.pinned(command, bench.config.cpus()[0]), gateway_env(bench, log_level), log
    )
    procs.wait_healthy(f"http://127.0.0.1:{bench.gateway_port}/health", bench.gateway)


def measure(bench: Bench, url: str, connections: int, stream: bool) -> tuple[loadgen.WrkResult, float, float]:
    """Warm up, then one measured wrk run. Returns (result, gateway CPU s, upstream CPU s) of the run."""
    cpu = bench.config.cpus()[1]
    script = bench.scripts[(bench.variant, stream)]
    loadgen.run(loadgen.WrkJob(url, connections, bench.config.warmup, script, cpu))
    gateway_before = procs.cpu_seconds(bench.gateway.pid) if bench.gateway else 0.0
    upstream_before = procs.cpu_seconds(bench.upstream.pid)
    result = loadgen.run(loadgen.WrkJob(url, connections, bench.config.duration, script, cpu))
    gateway_cpu = (procs.cpu_seconds(bench.gateway.pid) - gateway_before) if bench.gateway else 0.0
    return result, gateway_cpu, procs.cpu_seconds(bench.upstream.pid) - upstream_before


def point(bench: Bench, target: str, connections: int, stream: bool, log_level: str | None) -> dict[str, Any]:
    """Measure one (target, concurrency, mode) point and record it."""
    port = bench.gateway_port if target == "gateway" else bench.upstream_port
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    result, gateway_cpu, upstream_cpu = measure(bench, url, connections, stream)
    per_request = 1000 / result.requests if result.requests else 0.0
    record: dict[str, Any] = {
        "target": target,
        "log_level": log_level,
        "concurrency": connections,
        "stream": stream,
        **result.figures(),
        "ok": result.ok,
        "gateway_cpu_ms_per_request": round(gateway_cpu * per_request, 3) if target == "gateway" else None,
        "upstream_cpu_ms_per_request": round(upstream_cpu * per_request, 3),
        "wrk_report": result.raw,
    }
    bench.points.append(record)
    mode = "stream" if stream else "json"
    print(
        f"  {target:7} {log_level or '-':7} {mode:6} c={connections:<3} {result.rps:>9.1f} req/s  "
        f"p50 {result.p50_ms:7.3f} ms  p99 {result.p99_ms:8.3f} ms"
        + ("" if result.ok else f"  ERRORS non-2xx={result.non_2xx} socket={result.socket_errors}"),
        flush=True,
    )
    return record


def run_points(bench: Bench, target: str, log_level: str | None) -> None:
    """Every non-streaming concurrency, then the streaming point."""
    for connections in CONCURRENCIES:
        point(bench, target, connections, False, log_level)
    point(bench, target, STREAM_CONCURRENCY, True, log_level)


def profile(bench: Bench) -> None:
    """py-spy the gateway at c=64 (SVG flame graph + collapsed stacks for the hot-spot table)."""
    if not spy.available():
        print("py-spy not installed (`pip install py-spy`): skipping the profile", file=sys.stderr)
        return
    seconds = max(1, round(bench.config.duration))
    url = f"http://127.0.0.1:{bench.gateway_port}/v1/chat/completions"
    job = loadgen.WrkJob(url, 64, seconds + 1, bench.scripts[(bench.variant, False)], bench.config.cpus()[1])
    print(f"  profiling the gateway at c=64 for {seconds} s (twice: svg, raw)", flush=True)
    bench.config.out.mkdir(parents=True, exist_ok=True)
    raw = bench.config.out / "profile.txt"
    try:
        spy.record(
            bench.gateway.pid,
            bench.config.out / "profile.svg",
            seconds,
            "flamegraph",
            lambda: loadgen.run(job),
        )
        spy.record(bench.gateway.pid, raw, seconds, "raw", lambda: loadgen.run(job))
    except RuntimeError as exc:  # e.g. no ptrace permission: the benchmark itself still counts
        print(f"  profile failed, skipped: {exc}", file=sys.stderr)
        return
    bench.hotspots = spy.summarise(raw)


def run_all(bench: Bench) -> None:
    """The whole benchmark; the caller tears down."""
    loadgen.wrk_binary()
    gateway_cpu, other_cpu = bench.config.cpus()
    print(f"pinning: gateway -> CPU {gateway_cpu}, upstream + wrk -> CPU {other_cpu}", flush=True)
    bench.upstream, bench.upstream_port = procs.start_upstream(
        HERE / "fast_upstream.py", other_cpu, bench.workdir / "upstream.log"
    )
    for variant, pii in VARIANTS.items():
        key = procs.create_key(gateway_env(bench, "info"), bench.workdir, f"bench-{variant}", pii)
        for stream in (False, True):
            bench.scripts[(variant, stream)] = loadgen.write_script(
                bench.workdir, f"body-{variant}-{stream}", key, request_body(stream)
            )
    print(
        f"direct to the fast upstream ({bench.config.duration:g} s per point, {bench.config.warmup:g} s warm-up)"
    )
    run_points(bench, "direct", None)
    for level in LOG_LEVELS:
        bench.variant = level
        print(f"through the gateway, variant {level} (PII policy {VARIANTS[level]})", flush=True)
        start_gateway(bench, level)
        run_points(bench, "gateway", level)
        if level == LOG_LEVELS[0] and bench.config.profile:
            profile(bench)
        procs.stop(bench.gateway)
        bench.gateway = None


def write_results(bench: Bench, info: dict[str, object]) -> None:
    """overhead.json and overhead.md in --out."""
    config = {
        "duration_s": bench.config.duration,
        "warmup_s": bench.config.warmup,
        "pinning": bench.config.cpus(),
        "concurrencies": CONCURRENCIES,
        "stream_concurrency": STREAM_CONCURRENCY,
        "body_bytes": len(request_body(False)),
        "log_levels": LOG_LEVELS,
    }
    rows = report.rows(bench.points)
    data = {
        "machine": info,
        "config": config,
        "rows": rows,
        "points": bench.points,
        "hotspots": bench.hotspots.__dict__ if bench.hotspots else None,
    }
    bench.config.out.mkdir(parents=True, exist_ok=True)
    (bench.config.out / "overhead.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (bench.config.out / "overhead.md").write_text(report.markdown(info, config, rows, bench.hotspots))
    print(f"wrote {bench.config.out / 'overhead.json'} and {bench.config.out / 'overhead.md'}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def parse_args(argv: list[str] | None) -> Config:
    """Command-line options -> Config."""
    parser = argparse.ArgumentParser(description="Gateway overhead benchmark (wrk, fast mock upstream).")
    parser.add_argument("--duration", type=float, default=15, help="seconds measured per point (default 15)")
    parser.add_argument(
        "--warmup", type=float, default=2, help="seconds of warm-up before each point (default 2)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results", help="output directory")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin processes to cores")
    parser.add_argument("--profile", action="store_true", help="also record a py-spy profile at c=64")
    args = parser.parse_args(argv)
    return Config(args.duration, args.warmup, args.out.resolve(), args.pin, args.profile)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; always stop every process it started."""
    config = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    bench = Bench(config, Path(tempfile.mkdtemp(prefix="gateway-bench-")))
    info = procs.machine_info()
    if os.getloadavg()[0] > 0.5:
        print(
            f"warning: load average {os.getloadavg()[0]:.2f}: other work shares the cores, figures will be noisy"
        )
    started = time.monotonic()
    try:
        run_all(bench)
    except loadgen.WrkMissingError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"interrupted; logs kept in {bench.workdir}", file=sys.stderr)
        return 130
    except Exception:
        print(f"benchmark failed; logs kept in {bench.workdir}", file=sys.stderr)
        raise
    finally:
        procs.stop(bench.gateway)
        procs.stop(bench.upstream)
    info["wall_seconds"] = round(time.monotonic() - started, 1)
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    write_results(bench, info)
    shutil.rmtree(bench.workdir, ignore_errors=True)
    return 0 if all(p["ok"] for p in bench.points) else 1


if __name__ == "__main__":
    raise SystemExit(main())
