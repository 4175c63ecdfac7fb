"""KFZ: German, Austrian and Swiss number plates in their common notations."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.base import preceded_by
from gateway.privacy.recognizers.casing import any_case
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.kfz_codes import AUSTRIAN_CODES, GERMAN_CODES, SWISS_CODES
from gateway.privacy.recognizers.scanning import CHARS_PER_TRY, finditer_near

_SEP = r"(?:\s?-\s?|\s)"
# In the plate patterns the start-of-word lookbehind stands after the first letter, so that re can skip
# straight to capital letters instead of trying every position: the same matches, found faster.
# German: district code, separator, one or two letters, 1-4 digits, optional E (electric) / H (historic).
_GERMAN = re.compile(
    rf"(?P<code>[A-ZÄÖÜ](?<![\w-].)[A-ZÄÖÜ]{{0,2}}){_SEP}(?P<letters>[A-Z]{{1,2}})[ -]?(?P<digits>[1-9]\d{{0,3}})"
    r"(?:\s?[EH])?(?![\w-])"
)
# Austrian: district code, separator, digits then letters ("W-12345A", "W 12345 A", "GU 123 AB").
_AUSTRIAN = re.compile(
    rf"(?P<code>[A-Z](?<![\w-].)[A-Z]?){_SEP}(?P<digits>[1-9]\d{{0,5}})[ \t]?[A-Z]{{1,3}}(?![\w-])"
)
# Swiss: canton code and up to six digits, compact or grouped in threes ("ZH 123456", "ZH 458 112").
_SWISS = re.compile(
    r"(?P<code>[A-Z](?<![\w-].)[A-Z])[ -]?(?P<digits>[1-9]\d{0,2}[ '’]\d{3}|[1-9]\d{0,5})(?![\w-]|[.,]\d)"
)
# Paper and envelope formats after DIN ("DIN A4", "DIN C5"): DIN is also the Dinslaken district code.
_PAPER_FORMAT = re.compile(r"DIN[ -]?[ABC]\d{1,2}")
_CONTEXT = re.compile(
    any_case(
        (
            "kennzeichen", "kfz", "pkw", "lkw", "fahrzeug", "auto", "wagen", "halter", "motorrad", "amtl",
            "nummernschild", "zulassung", "parkausweis", "stellplatz", "schild", "parkt", "geparkt", "unfall",
        )
    )
)
# Every plate ends in a number that starts a run of digits with 1-9 and follows its letters and
# separators: at most 9 characters before the run ("ABC - DE 12"). No attempt to match a plate reads
# more than 16 characters ("ABC - DE 1234 E" and the lookahead after it).
_BEFORE_NUMBER = 9
_REACH = 16
# Canton codes that are also everyday tokens (AG = Aktiengesellschaft, BE, SO, GE, UR, ...).
_AMBIGUOUS_CANTONS = frozenset({"AG", "AI", "AR", "BE", "FR", "GE", "JU", "NE", "SO", "TI", "UR", "SG", "GL"})


class KfzRecognizer:
    """Finds vehicle registration plates, checking the district code against the official list."""

    types = frozenset({"KFZ"})

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every plausible number plate in ``text``."""
        # In a text full of numbers, finding and searching the windows costs more than the plain search.
        few = len(facts.digit_starts) * CHARS_PER_TRY <= len(text)
        windows = _windows(text, facts.digit_starts, facts.capitals) if few else None
        for match in _plates(_GERMAN, text, windows):
            if (
                match.group("code") in GERMAN_CODES
                and _plate_length(match) <= 8
                and not _PAPER_FORMAT.fullmatch(match.group())
            ):
                yield Entity("KFZ", match.start(), match.end(), self._score(text, match.start(), 0.75))
        for match in _plates(_AUSTRIAN, text, windows):
            if match.group("code") in AUSTRIAN_CODES and len(match.group().replace(" ", "")) >= 5:
                yield Entity("KFZ", match.start(), match.end(), self._score(text, match.start(), 0.7))
        for match in _plates(_SWISS, text, windows):
            if match.group("code") in SWISS_CODES:
                score = self._swiss_score(text, match)
                if score > 0:
                    yield Entity("KFZ", match.start(), match.end(), score)

    @staticmethod
    def _score(text: str, start: int, base: float) -> float:
        return 0.95 if preceded_by(text, start, _CONTEXT, window=50) else base

    @staticmethod
    def _swiss_score(text: str, match: re.Match[str]) -> float:
        """Swiss plates are digits after a two-letter code: accept them alone only when unambiguous."""
        if preceded_by(text, match.start(), _CONTEXT, window=50):
            return 0.9
        digits = re.sub(r"\D", "", match.group("digits"))
        is_year = len(digits) == 4 and digits[:2] in {"19", "20"}
        if match.group("code") in _AMBIGUOUS_CANTONS or len(digits) < 3 or is_year:
            return 0.0
        return 0.6


def _plates(
    pattern: re.Pattern[str], text: str, windows: list[tuple[int, int]] | None
) -> Iterator[re.Match[str]]:
    """The pattern's matches: searched in the windows, or over the whole text when there are none."""
    return pattern.finditer(text) if windows is None else finditer_near(pattern, text, windows, _REACH)


def _windows(text: str, digit_starts: list[int], capitals: bytes) -> list[tuple[int, int]]:
    """Where a plate may start: shortly before a run of digits that starts with 1-9 and has a capital
    letter A-Z of the code or the letters among the few characters before it; in order, overlapping
    windows joined (as :func:`~gateway.privacy.recognizers.scanning.finditer_near` takes them).

    Args:
        text: The text.
        digit_starts: Where its runs of digits start.
        capitals: :attr:`TextFacts.capitals` of the text.
    """
    windows: list[tuple[int, int]] = []
    for start in digit_starts:
        earliest = max(0, start - _BEFORE_NUMBER)
        if text[start] in "123456789" and capitals.find(b"A", earliest, start) >= 0:
            if windows and earliest <= windows[-1][1]:
                windows[-1] = (windows[-1][0], start)  # overlapping windows joined once, not per pattern
            else:
                windows.append((earliest, start))
    return windows


def _plate_length(match: re.Match[str]) -> int:
    return len(match.group("code")) + len(match.group("letters")) + len(match.group("digits"))
