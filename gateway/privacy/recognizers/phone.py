"""PHONE: German, Austrian and Swiss numbers via phonenumbers' ``PhoneNumberMatcher``.

A cheap regex finds number-shaped windows first, and the matcher only runs on those short windows:
running it over a whole 2 KB text once per region would cost several milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from phonenumbers import Leniency, PhoneNumberMatcher

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.base import is_reference_number, preceded_by

_REGIONS = ("DE", "AT", "CH")
# From the first "+", "(" or a leading zero over digits and the separators people type.
_CANDIDATE = re.compile(r"(?:\+|\((?=\s?[+0])|(?<![\w.,/])0)[\d \t()/.\-–]{5,}")
# Extensions phonenumbers does not read ("Durchwahl 12", "DW -12"); the contract includes them.
_EXTENSION = re.compile(r"[ \t]*(?:Durchwahl|Durchw\.|DW|App\.|Apparat|Nebenstelle)[ \t.:-]*\d{1,5}")
_CONTEXT = re.compile(
    r"(?:tel|fon|phone|handy|mobil|fax|ruf|anruf|erreich|nummer|whatsapp|hotline|durchwahl|kontakt)",
    re.IGNORECASE,
)
_WINDOW_TAIL = 16


class PhoneRecognizer:
    """Finds phone numbers valid in DE, AT or CH numbering plans (or any, when international)."""

    types = frozenset({"PHONE"})

    def find(self, text: str) -> Iterator[Entity]:
        """Yield every valid phone number in ``text``."""
        last_end = 0
        for cand in _CANDIDATE.finditer(text):
            if cand.start() < last_end or sum(ch.isdigit() for ch in cand.group()) < 6:
                continue
            if is_reference_number(text, cand.start()):
                continue
            span = _match_in_window(text, cand.start(), cand.end() + _WINDOW_TAIL)
            if span is None:
                continue
            start, end = span
            ext = _EXTENSION.match(text, end)
            if ext is not None:
                end = ext.end()
            last_end = end
            score = 0.95 if preceded_by(text, start, _CONTEXT, window=30) else 0.8
            yield Entity("PHONE", start, end, score)


def _match_in_window(text: str, start: int, stop: int) -> tuple[int, int] | None:
    """Return the first valid number's span in ``text[start:stop]``, trying each region in turn."""
    line_end = text.find("\n", start)
    if 0 <= line_end < stop:
        stop = line_end
    window = text[start:stop]
    for region in _REGIONS:
        for match in PhoneNumberMatcher(window, region, leniency=Leniency.VALID):
            first = start + match.start
            if first > start and text[first - 1] == "(":
                first -= 1  # the contract starts at an opening parenthesis
            return first, start + match.end
    return None
