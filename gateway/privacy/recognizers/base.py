"""The recognizer interface and small helpers every recognizer shares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

from gateway.privacy.entities import Entity

# Labels that mark a number as a business reference rather than personal data. Checked before a
# number-shaped match so that "Bestellnummer 0301234567" is not taken for a phone number.
REFERENCE_LABEL = re.compile(
    r"(?:bestell|rechnungs|kunden|auftrags|vertrags|vorgangs|artikel|sendungs|lieferschein|ticket|"
    r"referenz|beleg|angebots|mitglieds|bearbeitungs|fall|order|invoice|customer|projekt|seriennummer|"
    r"serien|tracking|aktenzeichen|az\b|buchungs|transaktions|registrier|produkt|modell|charge)"
    r"[\w.\- ]{0,14}[:#]?\s*$",
    re.IGNORECASE,
)


class NotAfter:
    """A pattern that must not start right after a character of a class: ``(?<![class])body``, found faster.

    ``re`` skips quickly to the places where a pattern can start only when the pattern begins with a
    character, a character class or alternatives that each begin with a literal; a leading lookbehind
    makes it attempt a match at every position. So ``body`` is searched alone and the lookbehind is
    checked on each match; after a rejected match the search resumes one character later, which yields
    exactly the matches of the lookbehind pattern.
    """

    def __init__(self, body: str, not_after: str, flags: int = 0) -> None:
        """Compile the pattern.

        Args:
            body: The pattern without its leading lookbehind.
            not_after: The character class the match must not follow, such as ``[\\w-]``.
            flags: ``re`` flags for ``body``.
        """
        self.body = re.compile(body, flags)
        self._rejects = re.compile(not_after)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Yield the non-overlapping matches in ``text``, as ``re.finditer`` with the lookbehind would."""
        pos = 0
        while (match := self.body.search(text, pos)) is not None:
            start = match.start()
            if start > 0 and self._rejects.match(text, start - 1):
                pos = start + 1
                continue
            yield match
            pos = match.end()

    def match(self, text: str, pos: int) -> re.Match[str] | None:
        """Match at ``pos`` only, with the lookbehind."""
        if pos > 0 and self._rejects.match(text, pos - 1):
            return None
        return self.body.match(text, pos)


class Recognizer(Protocol):
    """Finds entities of one or a few types in a text."""

    types: frozenset[str]

    def find(self, text: str) -> Iterator[Entity]:
        """Yield every entity found in ``text``."""
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
