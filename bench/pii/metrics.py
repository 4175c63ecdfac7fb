"""Span metrics for PII detection: exact and overlap matching, leak rate, percentiles.

Matching is per entity type. Exact: same type, start and end. Overlap: same type
and at least one shared character; a predicted span counts as correct when it
overlaps some gold span of its type, and a gold span counts as found when some
predicted span of its type overlaps it (so one prediction covering both address
spans finds both, and two predictions inside one gold span are both correct).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Mode = Literal["exact", "overlap"]


@dataclass(frozen=True)
class Span:
    """A typed character span, end exclusive."""

    type: str
    start: int
    end: int


@dataclass
class Counts:
    """Match counts of one type. Precision counts predictions, recall counts gold spans."""

    pred_correct: int = 0
    pred_total: int = 0
    gold_found: int = 0
    gold_total: int = 0

    def add(self, other: Counts) -> None:
        """Add another count in place."""
        self.pred_correct += other.pred_correct
        self.pred_total += other.pred_total
        self.gold_found += other.gold_found
        self.gold_total += other.gold_total

    @property
    def precision(self) -> float:
        """Share of predictions that are correct; 1.0 when nothing was predicted."""
        return self.pred_correct / self.pred_total if self.pred_total else 1.0

    @property
    def recall(self) -> float:
        """Share of gold spans found; 1.0 when there is no gold span."""
        return self.gold_found / self.gold_total if self.gold_total else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def overlaps(a: Span, b: Span) -> bool:
    """True when two spans share at least one character."""
    return a.start < b.end and b.start < a.end


def _matches(a: Span, b: Span, mode: Mode) -> bool:
    if a.type != b.type:
        return False
    return a == b if mode == "exact" else overlaps(a, b)


def count_matches(gold: Sequence[Span], pred: Sequence[Span], mode: Mode) -> dict[str, Counts]:
    """Count matches per type for one text.

    Args:
        gold: Labelled spans.
        pred: Detected spans.
        mode: "exact" or "overlap".

    Returns:
        Counts keyed by entity type (every type seen in gold or pred).
    """
    counts: dict[str, Counts] = {}
    for span in pred:
        entry = counts.setdefault(span.type, Counts())
        entry.pred_total += 1
        entry.pred_correct += any(_matches(span, g, mode) for g in gold)
    for span in gold:
        entry = counts.setdefault(span.type, Counts())
        entry.gold_total += 1
        entry.gold_found += any(_matches(span, p, mode) for p in pred)
    return counts


def merge_counts(per_text: Iterable[dict[str, Counts]]) -> dict[str, Counts]:
    """Sum per-text counts into per-type totals."""
    total: dict[str, Counts] = {}
    for counts in per_text:
        for entity_type, entry in counts.items():
            total.setdefault(entity_type, Counts()).add(entry)
    return total


def micro(counts: dict[str, Counts], types: Iterable[str]) -> Counts:
    """Micro-average: the sum of counts over the given types."""
    total = Counts()
    for entity_type in types:
        if entity_type in counts:
            total.add(counts[entity_type])
    return total


def leaked_chars(gold: Sequence[Span], pred: Sequence[Span]) -> tuple[int, int]:
    """Count labelled characters that no predicted span (of any type) covers.

    Args:
        gold: Labelled spans.
        pred: Detected spans; their type does not matter, a redaction is a redaction.

    Returns:
        (leaked characters, labelled characters).
    """
    covered: set[int] = set()
    for span in pred:
        covered.update(range(span.start, span.end))
    labelled: set[int] = set()
    for span in gold:
        labelled.update(range(span.start, span.end))
    return len(labelled - covered), len(labelled)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]
