"""NotAfter: the same matches as a pattern with a leading lookbehind."""

from __future__ import annotations

import re

import pytest

from gateway.privacy.recognizers.base import NotAfter
from gateway.privacy.recognizers.person_rules import SALUTATION


@pytest.mark.parametrize(
    ("body", "not_after", "text"),
    [
        (r"(?:Herrn?|Frau|Fr\.)[ \t]+", r"[\w-]", "Frau Koch, XFrau Y, -Herr Z, Herrn  A\nFr. B"),
        (r"(?:aab|ab)", r"x", "xaab ab aab"),  # a rejected match must not hide a valid one inside it
        (r"\d{3}", r"[\d.,-]", "123 4567 -890 1.234 ,567 89"),
    ],
)
def test_finds_the_matches_of_the_lookbehind_pattern(body, not_after, text):
    expected = [m.span() for m in re.finditer(f"(?<!{not_after}){body}", text)]
    assert [m.span() for m in NotAfter(body, not_after).finditer(text)] == expected


def test_rejected_match_resumes_one_character_later():
    assert [m.group() for m in NotAfter(r"(?:aab|ab)", r"x").finditer("xaab")] == ["ab"]


def test_match_applies_the_lookbehind():
    assert SALUTATION.match("Frau Koch", 0) is not None
    assert SALUTATION.match("XFrau Koch", 1) is None
