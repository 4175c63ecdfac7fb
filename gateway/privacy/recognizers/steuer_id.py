"""STEUER_ID: the German tax identification number (python-stdnum ``de.idnr``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum.de import idnr

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.base import is_reference_number, preceded_by
from gateway.privacy.recognizers.casing import any_case
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import scan

# Eleven digits, first not zero, compact or with single spaces/dots/slashes between digit groups. The
# lookbehind stands after the first digit so that re can skip straight to digits (same matches).
_CANDIDATE = re.compile(r"[1-9](?<![\d+/.,-].)(?:[ ./]?\d){10}(?![\d]|[.,/-]\d)")
_SEPARATORS = re.compile(r"[ ./]")
# "st\.?-?id" spelled out
_CONTEXT_WORDS = ("steuer", "stid", "st.id", "st-id", "st.-id", "idnr", "id-nr", "identifikationsnummer", "steuerliche")
_CONTEXT = re.compile(rf"(?:{any_case(_CONTEXT_WORDS)}|{any_case(['tin'])}\b)")


class SteuerIdRecognizer:
    """Finds Steuer-IDs valid in check digit and digit distribution."""

    types = frozenset({"STEUER_ID"})

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every valid Steuer-ID in ``text``."""
        # A candidate starts at a digit that no digit precedes: at the start of a run of digits.
        for match in scan(_CANDIDATE, text, facts.digit_starts):
            if not is_valid_steuer_id(match.group()):
                continue
            if preceded_by(text, match.start(), _CONTEXT, window=50):
                yield Entity("STEUER_ID", match.start(), match.end(), 0.97)
            elif not is_reference_number(text, match.start()):
                yield Entity("STEUER_ID", match.start(), match.end(), 0.75)


def is_valid_steuer_id(number: str) -> bool:
    """Check a Steuer-ID in full: python-stdnum's check digit and digit count, plus the triple rule.

    stdnum checks that exactly one of the first ten digits occurs two or three times; the rule of the
    Bundeszentralamt also forbids a digit that occurs three times from standing in three consecutive
    places ("1112345678x" is never issued).
    """
    compact = _SEPARATORS.sub("", number)
    if not idnr.is_valid(compact):
        return False
    head = compact[:10]
    return not any(head[i] == head[i + 1] == head[i + 2] for i in range(len(head) - 2))
