"""The analyzer: runs the recognizers, resolves overlapping spans, renders a redaction preview."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers import Recognizer, default_recognizers
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.result_cache import DEFAULT_MAX_ENTRIES, ResultCache

CORE_TYPES = frozenset({"PERSON", "EMAIL", "PHONE", "IBAN", "STEUER_ID", "KFZ", "ADDRESS"})
OPTIONAL_TYPES = frozenset({"DATE_OF_BIRTH", "CREDIT_CARD", "VAT_ID", "BIC", "SVNR"})
ALL_TYPES = CORE_TYPES | OPTIONAL_TYPES
DEFAULT_MIN_SCORE = 0.5


class Analyzer:
    """Detects German personal data. Build once: everything is compiled at construction."""

    def __init__(
        self,
        recognizers: Sequence[Recognizer] | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
        cache_size: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        """Build the analyzer.

        Args:
            recognizers: The recognizers to run; the default set when omitted.
            min_score: Entities scored below this are dropped.
            cache_size: How many results of recent texts to keep (see :mod:`gateway.privacy.result_cache`);
                0 analyses every text afresh, as benchmarks of detection speed need.
        """
        self._recognizers = tuple(recognizers) if recognizers is not None else default_recognizers()
        self._min_score = min_score
        self._cache = ResultCache(cache_size)

    def detect(self, text: str, types: frozenset[str] | None = None) -> list[Entity]:
        """Find the entities in ``text``.

        Args:
            text: Any text.
            types: Only these entity types; all types when ``None``.

        Returns:
            Non-overlapping entities sorted by start offset, in a new list the caller may change.
        """
        key = self._cache.key(text, types)
        cached = self._cache.get(key) if key is not None else None
        if cached is not None:
            return list(cached)
        entities = self._detect(text, types)
        if key is not None:
            self._cache.put(key, tuple(entities))
        return entities

    def _detect(self, text: str, types: frozenset[str] | None) -> list[Entity]:
        candidates: list[Entity] = []
        facts = TextFacts(text)
        for recognizer in self._recognizers:
            if types is not None and recognizer.types.isdisjoint(types):
                continue
            candidates.extend(recognizer.find(text, facts))
        # filtered once, in order, not in a generator per recognizer
        minimum = self._min_score
        if types is None:
            return resolve_overlaps([entity for entity in candidates if entity.score >= minimum])
        return resolve_overlaps([e for e in candidates if e.score >= minimum and e.type in types])


def resolve_overlaps(candidates: Iterable[Entity]) -> list[Entity]:
    """Keep the best of overlapping entities: higher score first, then the longer span.

    Returns:
        The kept entities sorted by start offset.
    """
    ranked = sorted(candidates, key=lambda e: (-e.score, -(e.end - e.start), e.start))
    kept: list[Entity] = []  # sorted by start and pairwise disjoint, so only neighbours can overlap
    starts: list[int] = []
    for entity in ranked:
        index = bisect.bisect_left(starts, entity.start)
        if index > 0 and kept[index - 1].end > entity.start:
            continue
        if index < len(kept) and kept[index].start < entity.end:
            continue
        kept.insert(index, entity)
        starts.insert(index, entity.start)
    return kept


def redact_preview(text: str, entities: Sequence[Entity]) -> str:
    """Replace each entity with ``<TYPE_n>``, numbered per type; the same value keeps its number.

    Args:
        text: The text the entities were found in.
        entities: Non-overlapping entities, as :meth:`Analyzer.detect` returns them.
    """
    numbers: dict[tuple[str, str], int] = {}
    per_type: dict[str, int] = {}
    parts: list[str] = []
    cursor = 0
    for entity in sorted(entities, key=lambda e: e.start):
        value = text[entity.start : entity.end]
        key = (entity.type, value)
        if key not in numbers:
            per_type[entity.type] = per_type.get(entity.type, 0) + 1
            numbers[key] = per_type[entity.type]
        parts.append(text[cursor : entity.start])
        parts.append(f"<{entity.type}_{numbers[key]}>")
        cursor = entity.end
    parts.append(text[cursor:])
    return "".join(parts)
