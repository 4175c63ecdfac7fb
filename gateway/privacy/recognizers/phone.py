"""PHONE: German, Austrian and Swiss numbers via phonenumbers' ``PhoneNumberMatcher``.

A cheap regex finds number-shaped windows first, and the matcher only runs on those short windows:
running it over a whole 2 KB text once per region would cost several milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from phonenumbers import Leniency, NumberParseException, PhoneNumberMatcher, is_valid_number, parse

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.base import is_reference_number, preceded_by
from gateway.privacy.recognizers.casing import any_case
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import occurrences, scan

_REGIONS = ("DE", "AT", "CH")
# From the first "+", "(" or a leading zero over digits and the separators people type.
# A number preceded by "digit + space" is the middle of a digit group (an IBAN, a card), not a phone.
# The lookbehinds stand after the "0" (hence the "0" inside them), so that every alternative starts with
# a literal character and re can skip straight to "+", "(" and "0": the same matches, found faster.
_CANDIDATE = re.compile(r"(?:\+|\((?=\s?[+0])|0(?<![\w.,/]0)(?<!\d 0))[\d \t()/.\-–]{5,}")
# Extensions phonenumbers does not read ("Durchwahl 12", "DW -12"); the contract includes them.
_EXTENSION = re.compile(
    r"[ \t]*(?:Durchwahl|Durchw\.|DW|App\.|Apparat|Nebenstelle|ext\.?|Ext\.?|x)[ \t.:-]*\d{1,5}"
)
_CONTEXT = re.compile(
    any_case(
        (
            "tel", "fon", "phone", "handy", "mobil", "fax", "ruf", "anruf", "erreich", "nummer", "whatsapp",
            "hotline", "durchwahl", "kontakt",
        )
    )
)
_WINDOW_TAIL = 16
_DATE_LIKE = re.compile(r"\d{1,2}\.\d{1,2}\.(?:\d{2}|\d{4})(?!\d)")
_TRAILING = re.compile(r"[^\d]+$")
_DASH_EXTENSION = re.compile(r"(?<=\d)[ \t]?[-–][ \t]?\d{1,5}$")
# "00" and a country code (none starts with 0): the international prefix of all three regions.
_INTERNATIONAL_ZEROS = re.compile(r"00\D*[1-9]")
# A window whose only digits are one unbroken run at its start: the matcher's one candidate is that run, which
# `_parse_whole` has already found invalid in every region (phonenumbers reads at most 17 digits as a number).
_LONE_RUN = re.compile(r"\d{6,17}(?!\d)\D*$")


class PhoneRecognizer:
    """Finds phone numbers valid in DE, AT or CH numbering plans (or any, when international)."""

    types = frozenset({"PHONE"})

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every valid phone number in ``text``."""
        last_end = 0
        for cand in scan(_CANDIDATE, text, _candidate_starts(text, facts)):
            if cand.start() < last_end or sum(map(str.isdigit, cand.group())) < 6:
                continue
            if _DATE_LIKE.match(text, cand.start()) or is_reference_number(text, cand.start()):
                continue
            span = _parse_whole(text, cand.start(), cand.end()) or _match_in_window(
                text, cand.start(), cand.end() + _WINDOW_TAIL
            )
            if span is None:
                continue
            start, end = span
            ext = _EXTENSION.match(text, end)
            if ext is not None:
                end = ext.end()
            last_end = end
            score = 0.95 if preceded_by(text, start, _CONTEXT, window=30) else 0.8
            yield Entity("PHONE", start, end, score)


def _candidate_starts(text: str, facts: TextFacts) -> list[int]:
    """Where a candidate may start: at a "+", a "(" or a "0" that starts a run of digits (no letter or
    digit may precede it)."""
    starts = [start for start in facts.digit_starts if text[start] == "0"]
    starts += occurrences(text, "+")
    starts += occurrences(text, "(")
    return sorted(starts)


def _parse_whole(text: str, start: int, stop: int) -> tuple[int, int] | None:
    """Fast path: the whole candidate (up to its last digit) is one valid number.

    ``parse`` costs far less than the matcher, which is only the fallback for candidates that hold a
    number plus something else. A trailing ``-7`` or ``-12`` is tried as an extension (common in
    Switzerland and Germany: ``+41 31 761 59 61-7``), since phonenumbers takes it for part of the number.
    """
    candidate = _TRAILING.sub("", text[start:stop])
    if _DATE_LIKE.search(candidate, 1):
        return None  # "030 1234567 12.05.2024": let the matcher separate number and date
    if _is_valid(candidate):
        return start, start + len(candidate)
    extension = _DASH_EXTENSION.search(candidate)
    if extension is not None and _is_valid(candidate[: extension.start()]):
        return start, start + len(candidate)
    return None


def _is_valid(candidate: str) -> bool:
    # An international number reads alike in every region; "000..." is not one (no country code starts with 0).
    regions = ("DE",) if candidate[0] == "+" or _INTERNATIONAL_ZEROS.match(candidate) else _REGIONS
    for region in regions:
        try:
            if is_valid_number(parse(candidate, region)):
                return True
        except NumberParseException:
            return False
    return False


def _match_in_window(text: str, start: int, stop: int) -> tuple[int, int] | None:
    """Return the first valid number's span in ``text[start:stop]``, trying each region in turn."""
    line_end = text.find("\n", start)
    if 0 <= line_end < stop:
        stop = line_end
    window = text[start:stop]
    if _LONE_RUN.match(window):  # an order or file number ("Vorgang 000123"): no matcher pass can accept it
        return None
    for region in _REGIONS:
        for match in PhoneNumberMatcher(window, region, leniency=Leniency.VALID):
            first = start + match.start
            if first > start and text[first - 1] == "(":
                first -= 1  # the contract starts at an opening parenthesis
            return first, start + match.end
    return None
