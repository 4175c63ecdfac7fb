"""Cheap tests that skip a scan never skip a match: with and without them, the same matches on every
text of the PII benchmark datasets and the latency benchmark."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from functools import cache

import pytest

from bench.pii.dataset import GENERATED_PATH, HANDWRITTEN_PATH, load_jsonl
from bench.pii_latency import make_texts
from gateway.privacy.recognizers import person_rules as rules
from gateway.privacy.recognizers.scanning import NotAfter, Windowed


@cache
def corpus() -> tuple[str, ...]:
    texts = [record["text"] for path in (GENERATED_PATH, HANDWRITTEN_PATH) for record in load_jsonl(path)]
    return (*texts, *make_texts(200))


def _spans(matches: Iterable[re.Match[str]]) -> list[tuple[int, int]]:
    return [match.span() for match in matches]


@pytest.mark.parametrize(
    "scanner",
    [
        rules.SALUTATION,
        rules.TITLE_TRIGGER,
        rules.GREETING,
        rules.SIGN_OFF,
        rules.INLINE_SIGN_OFF,
        rules.LABEL,
        rules.NAMING,
    ],
)
def test_keys_never_skip_a_text_with_matches(scanner: NotAfter | Windowed) -> None:
    unkeyed = copy.copy(scanner)
    unkeyed._keys = ()
    found = 0
    for text in corpus():
        expected = _spans(unkeyed.finditer(text))
        assert _spans(scanner.finditer(text)) == expected, text
        found += len(expected)
    assert found > 0  # the corpus exercises the pattern
