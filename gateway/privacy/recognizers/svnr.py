"""SVNR: the German Rentenversicherungsnummer (12 characters, check digit) and, when labelled, the
Austrian Sozialversicherungsnummer (python-stdnum ``at.vnr``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum.at import vnr

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.base import preceded_by
from gateway.privacy.recognizers.casing import any_case
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import scan

# Area (2 digits), birth date DDMMYY, initial of the birth name, serial (2 digits), check digit.
# The lookbehinds stand after the first digit so that re can skip straight to digits (same matches).
_GERMAN = re.compile(
    r"(?P<area>\d(?<!\w.)\d) ?(?P<date>(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}) ?"
    r"(?P<letter>[A-Z]) ?(?P<serial>\d{2})(?P<check>\d)(?![\w])"
)
_AUSTRIAN = re.compile(r"\d(?<!\w.)\d{3} ?(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}(?![\w])")
_AT_CONTEXT = re.compile(any_case(["svn", "sv-n", "sozialversicherung", "versicherungsnummer", "svnr", "sv-nummer"]))
_WEIGHTS = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)


class SvnrRecognizer:
    """Finds social insurance numbers with a valid check digit."""

    types = frozenset({"SVNR"})

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every valid social insurance number in ``text``."""
        # Both patterns start at a digit that no letter or digit precedes: at the start of a run of digits.
        for match in scan(_GERMAN, text, german_starts(facts)):
            if _german_check_digit(match) == int(match.group("check")):
                yield Entity("SVNR", match.start(), match.end(), 0.95)
        for match in scan(_AUSTRIAN, text, austrian_starts(facts)):
            if vnr.is_valid(match.group().replace(" ", "")) and preceded_by(text, match.start(), _AT_CONTEXT):
                yield Entity("SVNR", match.start(), match.end(), 0.9)


def german_starts(facts: TextFacts) -> list[int]:
    """Where a German number may start: its area and date are a run of 8 digits, or of 2 and a space."""
    return [start for start, end in facts.digit_runs if end - start in (2, 8)]


def austrian_starts(facts: TextFacts) -> list[int]:
    """Where an Austrian number may start: a run of 10 digits, or of 4 and a space before the date."""
    return [start for start, end in facts.digit_runs if end - start in (4, 10)]


def _german_check_digit(match: re.Match[str]) -> int:
    """Weights 2,1,2,5,7,1,2,1,2,1,2,1 over the digits with the letter as its two-digit alphabet position;
    the sum of the products' digit sums modulo 10."""
    letter = ord(match.group("letter")) - ord("A") + 1
    digits = f"{match.group('area')}{match.group('date')}{letter:02d}{match.group('serial')}"
    total = sum(sum(divmod(int(digit) * weight, 10)) for digit, weight in zip(digits, _WEIGHTS, strict=True))
    return total % 10
