"""py-spy profile of the full pipeline (PostgreSQL, Redis, PII redact, exact cache, audit, ledger, metrics).

    python bench/profile_full.py                  # c=64, 20 s, non-streaming; writes bench/results/profile_full.*
    python bench/profile_full.py --stream --concurrency 16 --seconds 15
    python bench/profile_full.py --profile passthrough   # writes bench/results/profile_passthrough.*

Starts bench/fast_upstream.py and `gateway serve --workers 1` in the `full` profile of bench/compare (same
database, Redis db, tenant and prompt), drives it with bench/compare/loadgen.py and records it twice with
py-spy (`--gil`: an SVG flame graph and collapsed stacks). Writes `profile_<profile>.svg`, `.txt` and `.md`
(req/s, CPU per request, the hottest frames) to --out. Needs py-spy (`pip install py-spy`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import procs, spy
from bench.compare.run import Config, Run, load, one_gateway

_FEATURES = {
    "full": "PostgreSQL, Redis, PII redact, exact cache (misses), audit log, ledger, metrics, request log at info",
    "passthrough": "SQLite, key check, audit log, ledger, metrics, request log at info; no PII, cache or limits",
}


def _profile(run: Run, target: object, args: argparse.Namespace, out: Path) -> dict[str, object]:
    """Two py-spy recordings (svg, raw) each over one load run; returns the last load point."""
    point: dict[str, object] = {}

    def drive() -> None:
        point.update(load(run, target, args.concurrency, args.stream))  # type: ignore[arg-type]

    pid = target.proc.pid  # type: ignore[attr-defined]
    seconds = int(args.seconds + args.warmup)
    stem = f"profile_{args.profile}"
    spy.record(pid, out / f"{stem}.svg", seconds, "flamegraph", drive)
    spy.record(pid, out / f"{stem}.txt", seconds, "raw", drive)
    return point


def _markdown(point: dict[str, object], hot: spy.Hotspots, args: argparse.Namespace) -> str:
    mode = "streaming" if args.stream else "non-streaming"
    lines = [
        f"# Gateway profile: {args.profile}",
        "",
        (
            f"`python bench/profile_full.py --profile {args.profile} --concurrency {args.concurrency}"
            f"{' --stream' if args.stream else ''} --seconds {args.seconds:g}`; machine and commit in "
            f"profile_{args.profile}.json. Profile `{args.profile}` of bench/compare ({_FEATURES[args.profile]})."
        ),
        "",
        (
            f"- {mode}, c={args.concurrency}: {point['rps']} req/s, total p50 {point['total_ms']['p50']} ms, "  # type: ignore[index]
            f"p99 {point['total_ms']['p99']} ms, CPU {point['proxy_cpu_ms_per_request']} ms/request, "  # type: ignore[index]
            f"errors {point['errors']} (the run under the second recording)"
        ),
        f"- samples holding the GIL: {hot.samples}",
        "",
        "## Self time (top frames)",
        "",
        *[f"- {share:5.1f}%  `{frame}`" for frame, share in hot.self_time],
        "",
        "## Inclusive time of gateway/ frames",
        "",
        *[f"- {share:5.1f}%  `{frame}`" for frame, share in hot.inclusive_gateway],
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per recording")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--stream", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--profile", choices=("full", "passthrough"), default="full", help="bench/compare's gateway profile"
    )
    args = parser.parse_args(argv)
    if not spy.available():
        print("py-spy is not on PATH (pip install py-spy)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    config = Config(duration=args.seconds, warmup=args.warmup, out=args.out, pin=True, skip=())
    with one_gateway(config, args.profile, "gw-profile-") as (run, target):
        point = _profile(run, target, args, args.out)
    stem = args.out / f"profile_{args.profile}"
    hot = spy.summarise(stem.with_suffix(".txt"), top=args.top)
    stem.with_suffix(".md").write_text(_markdown(point, hot, args))
    info = {
        "machine": procs.machine_info(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "point": point,
    }
    stem.with_suffix(".json").write_text(json.dumps(info, indent=2))
    print(stem.with_suffix(".md").read_text())
    return 1 if point.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
