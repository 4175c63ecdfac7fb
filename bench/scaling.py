"""Scaling: throughput with one and two workers, and with two instances on one PostgreSQL and one Redis.

    python bench/scaling.py                       # 10 s per point after 2 s warm-up; ~3 min
    python bench/scaling.py --duration 5 --out /tmp/x

Runs bench/compare's profiles (`passthrough`: SQLite, key check only; `full`: PostgreSQL, Redis, PII redact,
exact cache misses, audit, ledger, metrics) against bench/fast_upstream.py, non-streaming, concurrency 64,
closed loop (bench/compare/loadgen.py). Nothing is pinned: the gateway's workers may use both cores, and so
may the load generator, the upstream, PostgreSQL and Redis — on a 2-core machine they all compete, which is
where scaling stops. Rows:

- `workers=1` and `workers=2`: one `gateway serve --workers N` (N workers, each on its own
  `SO_REUSEPORT` socket of the one port, ADR 0023);
- `instances=2` (full only): two `gateway serve --workers 1` on the same database and Redis db.

Every row is driven by two load generators of c=32 each (one per instance for `instances=2`); req/s is the sum.

CPU ms/request is the gateway's process trees only; machine CPU ms/request is every process's, so the table
shows where the two cores run out. Writes scaling.json and scaling.md to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import procs
from bench.compare import ours, workload
from bench.compare.target import Target

CONCURRENCY = 64
CORES = os.cpu_count() or 1
GENERATORS = 2  # one Python load generator tops out near the gateway's own rate on this machine


def _job(target: Target, concurrency: int, args: argparse.Namespace) -> str:
    return json.dumps(
        {
            "url": target.url,
            "headers": target.headers,
            "template": workload.body_template(False),
            "concurrency": concurrency,
            "warmup": args.warmup,
            "duration": args.duration,
            "stream": False,
        }
    )


def drive(targets: list[Target], args: argparse.Namespace) -> dict[str, Any]:
    """GENERATORS load generators at once (round-robin over the targets), so every layout gets the same
    client capacity; CPU of every target is read at the first generator's measured-phase edges."""
    share = CONCURRENCY // GENERATORS
    gens = []
    for index in range(GENERATORS):
        target = targets[index % len(targets)]
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.compare.loadgen"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None
        proc.stdin.write(_job(target, share, args))
        proc.stdin.close()
        gens.append(proc)
    cpu_before = cpu_after = busy_before = busy_after = wall_before = wall_after = 0.0
    results = []
    for index, proc in enumerate(gens):
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "measure-start" and index == 0:
                cpu_before = sum(procs.cpu_seconds(t.proc.pid) for t in targets if t.proc)
                busy_before, wall_before = procs.machine_busy_seconds(), time.monotonic()
            elif line.strip() == "measure-end" and index == 0:
                cpu_after = sum(procs.cpu_seconds(t.proc.pid) for t in targets if t.proc)
                busy_after, wall_after = procs.machine_busy_seconds(), time.monotonic()
            elif line.startswith("result "):
                results.append(json.loads(line[len("result ") :]))
        proc.wait(60)
    requests = sum(r["requests"] for r in results)
    rps = sum(r["rps"] for r in results)
    first = results[0]
    # the generators run concurrently for the same duration: CPU over the first one's phase ~ the others'
    phase_requests = max(1, first["requests"] * len(results))
    machine_ms = (busy_after - busy_before) * 1000 / phase_requests
    return {
        "rps": round(rps, 1),
        "requests": requests,
        "errors": sum(r["errors"] for r in results),
        "p50_ms": first["total_ms"]["p50"],
        "p99_ms": max(r["total_ms"]["p99"] for r in results),
        "cpu_ms_per_request": round((cpu_after - cpu_before) * 1000 / phase_requests, 3),
        # everything on the machine (gateway, load generators, upstream, PostgreSQL, Redis): where scaling stops
        "machine_cpu_ms_per_request": round(machine_ms, 3),
        "machine_busy_percent": round(
            100 * (busy_after - busy_before) / (max(1e-9, wall_after - wall_before) * CORES), 1
        ),
    }


def measure(
    profile: str, layout: str, workdir: Path, upstream_port: int, args: argparse.Namespace
) -> dict[str, Any]:
    targets: list[Target] = []
    try:
        if layout == "instances=2":
            first = ours.start_gateway(profile, workdir, upstream_port, None, name="gateway-a")
            key = first.headers["Authorization"].removeprefix("Bearer ")
            targets = [
                first,
                ours.start_gateway(profile, workdir, upstream_port, None, key=key, name="gateway-b"),
            ]
        else:
            workers = int(layout.split("=")[1])
            targets = [ours.start_gateway(profile, workdir, upstream_port, None, workers=workers)]
        point = drive(targets, args)
    finally:
        for target in targets:
            procs.stop(target.proc)
    return {"profile": profile, "layout": layout, **point}


def markdown(info: dict[str, Any]) -> str:
    m = info["machine"]
    rows = info["rows"]
    base = {r["profile"]: r["rps"] for r in rows if r["layout"] == "workers=1"}
    lines = [
        "# Scaling: workers and instances",
        "",
        (
            f"`python bench/scaling.py --duration {info['args']['duration']:g}` at git {m['gateway_commit'][:12]}, "
            f"{m['date']}; {m['cpu_model']}, {m['cores']} cores; load average at start {m['load_average_at_start']}. "
            f"Non-streaming, c={CONCURRENCY} in all (split evenly across instances), nothing pinned."
        ),
        "",
        (
            "| profile | layout | req/s | × workers=1 | p50 ms | p99 ms | gateway CPU ms/req | machine CPU ms/req "
            "| machine busy | ceiling req/s | errors |"
        ),
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        *[
            f"| {r['profile']} | {r['layout']} | {r['rps']} | {r['rps'] / base[r['profile']]:.2f} | {r['p50_ms']} | "
            f"{r['p99_ms']} | {r['cpu_ms_per_request']} | {r['machine_cpu_ms_per_request']} | "
            f"{r['machine_busy_percent']}% | {_ceiling(r)} | {r['errors']} |"
            for r in rows
        ],
        "",
        (
            "Machine CPU is every process's (gateway, load generators, upstream, PostgreSQL, Redis), from /proc/stat "
            f"over the measured phase; ceiling = {CORES} cores / machine CPU per request, the rate at which this "
            "machine would be saturated if nothing else changed."
        ),
        "",
    ]
    return "\n".join(lines)


def _ceiling(row: dict[str, Any]) -> str:
    machine_ms = row["machine_cpu_ms_per_request"]
    return f"{CORES * 1000 / machine_ms:.0f}" if machine_ms > 0 else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--profiles", nargs="+", default=["passthrough", "full"])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    machine = procs.machine_info()
    rows = []
    with tempfile.TemporaryDirectory(prefix="gw-scaling-") as tmp:
        workdir = Path(tmp)
        upstream, port = procs.start_upstream(
            ROOT / "bench" / "fast_upstream.py", None, workdir / "upstream.log"
        )
        try:
            for profile in args.profiles:
                layouts = ["workers=1", "workers=2"] + (["instances=2"] if profile == "full" else [])
                for layout in layouts:
                    rows.append(measure(profile, layout, workdir, port, args))
                    print(rows[-1], flush=True)
        finally:
            procs.stop(upstream)
    info = {"machine": machine, "args": {"duration": args.duration, "warmup": args.warmup}, "rows": rows}
    info["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    (args.out / "scaling.json").write_text(json.dumps(info, indent=2))
    (args.out / "scaling.md").write_text(markdown(info))
    print(markdown(info))
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
