"""Shared fixtures: one analyzer per test session (loading the gazetteer takes a few hundred ms)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gateway.privacy import Analyzer

Spans = list[tuple[str, str]]


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="session")
def spans(analyzer: Analyzer) -> Callable[[str, str], Spans]:
    """Detect one type and return ``(type, covered text)`` pairs, easy to compare."""

    def run(text: str, entity_type: str) -> Spans:
        found = analyzer.detect(text, frozenset({entity_type}))
        return [(e.type, text[e.start : e.end]) for e in found]

    return run
