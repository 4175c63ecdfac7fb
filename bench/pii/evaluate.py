"""Run a PII detector over the benchmark and report accuracy, leak rate and latency.

Usage: `python -m bench.pii.evaluate` (detector: gateway.privacy.analyzer.Analyzer).
Writes bench/results/pii.json and bench/results/pii_errors.md and regenerates the result
tables in docs/pii_benchmark.md. `evaluate_set` accepts any callable text -> entities,
so the harness can be tested with stand-ins.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench.pii.dataset import CORE_TYPES, GENERATED_PATH, HANDWRITTEN_PATH, Record, load_jsonl
from bench.pii.metrics import Counts, Span, count_matches, leaked_chars, merge_counts, micro, percentile

ROOT = Path(__file__).resolve().parents[2]
RESULTS_PATH = ROOT / "bench" / "results" / "pii.json"
ERRORS_PATH = ROOT / "bench" / "results" / "pii_errors.md"
DOC_PATH = ROOT / "docs" / "pii_benchmark.md"
_WARMUP_TEXTS = 30


class EntityLike(Protocol):
    """What a detector returns per entity (gateway.privacy Entity satisfies it)."""

    type: str
    start: int
    end: int


Detector = Callable[[str], Sequence[Any]]


@dataclass
class TextOutcome:
    """Gold and predicted spans of one text, kept for the error report."""

    record: Record
    gold: list[Span]
    pred: list[Span]


@dataclass
class SetResult:
    """Everything measured on one dataset."""

    name: str
    summary: dict[str, Any]
    outcomes: list[TextOutcome] = field(default_factory=list)


def to_span(entity: Any) -> Span:
    """Convert a detector entity (attribute object or dict) into a Span."""
    if isinstance(entity, dict):
        return Span(str(entity["type"]), int(entity["start"]), int(entity["end"]))
    return Span(str(entity.type), int(entity.start), int(entity.end))


def _gold(record: Record) -> list[Span]:
    return [Span(e["type"], e["start"], e["end"]) for e in record["entities"]]


def _prf(counts: Counts) -> dict[str, float | int]:
    return {
        "precision": round(counts.precision, 4),
        "recall": round(counts.recall, 4),
        "f1": round(counts.f1, 4),
        "pred": counts.pred_total,
        "pred_correct": counts.pred_correct,
        "gold": counts.gold_total,
        "gold_found": counts.gold_found,
    }


def _time_detector(detector: Detector, texts: Sequence[str], rounds: int) -> list[float]:
    """Per-text detection latency in milliseconds, after a warm-up pass."""
    for text in texts[:_WARMUP_TEXTS]:
        detector(text)
    samples: list[float] = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter_ns()
            detector(text)
            samples.append((time.perf_counter_ns() - started) / 1e6)
    return samples


def _accuracy(outcomes: list[TextOutcome], mode: str) -> dict[str, Any]:
    counts = merge_counts(count_matches(o.gold, o.pred, mode) for o in outcomes)  # type: ignore[arg-type]
    gold_types = sorted({s.type for o in outcomes for s in o.gold})
    return {
        "per_type": {t: _prf(counts[t]) for t in sorted(counts)},
        "micro_core": _prf(micro(counts, CORE_TYPES)),
        "micro_labelled_types": _prf(micro(counts, gold_types)),
    }


def _leak(outcomes: list[TextOutcome], types: Sequence[str] | None) -> dict[str, float | int]:
    leaked = total = 0
    for o in outcomes:
        gold = [s for s in o.gold if types is None or s.type in types]
        lost, labelled = leaked_chars(gold, o.pred)
        leaked, total = leaked + lost, total + labelled
    return {"leaked_chars": leaked, "pii_chars": total, "rate": round(leaked / total, 4) if total else 0.0}


def _false_alarms(outcomes: list[TextOutcome]) -> dict[str, float | int]:
    clean = [o for o in outcomes if not o.gold]
    flagged = [o for o in clean if o.pred]
    return {
        "clean_texts": len(clean),
        "texts_with_detection": len(flagged),
        "share": round(len(flagged) / len(clean), 4) if clean else 0.0,
        "detections": sum(len(o.pred) for o in clean),
    }


def evaluate_set(name: str, records: Sequence[Record], detector: Detector, rounds: int = 3) -> SetResult:
    """Evaluate one detector on one dataset.

    Args:
        name: Dataset name for the report.
        records: Labelled records.
        detector: Callable text -> entities with `.type/.start/.end` (or dicts).
        rounds: Timed passes over the texts for the latency percentiles.

    Returns:
        Summary metrics and per-text outcomes.
    """
    outcomes = [TextOutcome(r, _gold(r), [to_span(e) for e in detector(r["text"])]) for r in records]
    latencies = _time_detector(detector, [r["text"] for r in records], rounds) if rounds else [0.0]
    summary = {
        "texts": len(records),
        "max_text_chars": max(len(r["text"]) for r in records),
        "exact": _accuracy(outcomes, "exact"),
        "overlap": _accuracy(outcomes, "overlap"),
        "leak_core": _leak(outcomes, CORE_TYPES),
        "leak_all": _leak(outcomes, None),
        "false_alarms": _false_alarms(outcomes),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 4),
            "p99": round(percentile(latencies, 99), 4),
            "max": round(max(latencies), 4),
            "samples": len(latencies) if rounds else 0,
        },
    }
    return SetResult(name, summary, outcomes)


def _load_analyzer() -> Detector:
    from gateway.privacy.analyzer import Analyzer  # imported late: the benchmark must load without it

    detector: Detector = Analyzer(cache_size=0).detect  # timed passes repeat texts: no cached answers
    return detector


def run(detector: Detector, rounds: int, detector_name: str) -> dict[str, Any]:
    """Evaluate both datasets, write results, the error report and the doc tables."""
    from bench.pii.report import render_errors, update_doc

    sets = [
        evaluate_set("generated", load_jsonl(GENERATED_PATH), detector, rounds),
        evaluate_set("handwritten", load_jsonl(HANDWRITTEN_PATH), detector, rounds),
    ]
    result = {
        "detector": detector_name,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "sets": {s.name: s.summary for s in sets},
    }
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    ERRORS_PATH.write_text(render_errors(sets), encoding="utf-8")
    if DOC_PATH.exists():
        update_doc(DOC_PATH, result)
    return result


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes per text for latency")
    parser.add_argument(
        "--stand-in", action="store_true", help="use the regex stand-in instead of the Analyzer"
    )
    args = parser.parse_args()
    detector: Detector
    if args.stand_in:
        from bench.pii.standin import detect

        detector, name = detect, "bench.pii.standin (regex stand-in)"
    else:
        detector, name = _load_analyzer(), "gateway.privacy.analyzer.Analyzer"
    result = run(detector, args.rounds, name)
    from bench.pii.report import summary_lines

    print("\n".join(summary_lines(result)))
    print(f"\nwrote {RESULTS_PATH}, {ERRORS_PATH} and the tables in {DOC_PATH}")


if __name__ == "__main__":
    main()
