"""The recognizer interface and small helpers every recognizer shares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.casing import any_case
from gateway.privacy.recognizers.facts import TextFacts

# Labels that mark a number as a business reference rather than personal data. Checked before a
# number-shaped match so that "Bestellnummer 0301234567" is not taken for a phone number.
# The words in any case (see casing.any_case: the same matches as under IGNORECASE, found far faster).
_REFERENCE_WORDS = (
    "bestell rechnungs kunden auftrags vertrags vorgangs artikel sendungs lieferschein ticket referenz beleg "
    "angebots mitglieds bearbeitungs fall order invoice customer projekt seriennummer serien tracking "
    "aktenzeichen buchungs transaktions registrier produkt modell charge"
)
REFERENCE_LABEL = re.compile(
    rf"(?:{any_case(_REFERENCE_WORDS.split())}|{any_case(['az'])}\b)(?i:[\w.\- ]{{0,14}}[:#]?\s*$)"
)


class Recognizer(Protocol):
    """Finds entities of one or a few types in a text."""

    types: frozenset[str]

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every entity found in ``text``; ``facts`` are about ``text``, shared by all recognizers."""
        ...


def preceded_by(text: str, start: int, pattern: re.Pattern[str], window: int = 40) -> bool:
    """Tell whether ``pattern`` matches in the ``window`` characters before ``start``.

    Args:
        text: The whole text.
        start: Offset of the candidate.
        pattern: A compiled pattern, usually anchored with ``$`` or searching for a keyword.
        window: How far back to look.
    """
    return pattern.search(text, max(0, start - window), start) is not None


def is_reference_number(text: str, start: int) -> bool:
    """Tell whether the number at ``start`` is labelled as an order/invoice/customer number."""
    return preceded_by(text, start, REFERENCE_LABEL, window=30)
