"""IBAN: any country, compact or in groups of four, valid mod-97 only (python-stdnum)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban

from gateway.privacy.entities import Entity

# Country code, check digits, then groups of up to four; grouping by single spaces is optional. The
# lookbehind stands after the first letter so that re can skip straight to capitals (same matches).
_CANDIDATE = re.compile(
    r"[A-Z](?<![A-Za-z0-9].)[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])"
)
_GROUP_END = re.compile(r" ?[A-Z0-9]{1,4}$")


class IbanRecognizer:
    """Finds IBANs whose mod-97 checksum and country format are valid."""

    types = frozenset({"IBAN"})

    def find(self, text: str) -> Iterator[Entity]:
        """Yield every valid IBAN in ``text``."""
        for match in _CANDIDATE.finditer(text):
            end = _valid_end(match.group(), match.start())
            if end is not None:
                yield Entity("IBAN", match.start(), end, 0.99)


def _valid_end(candidate: str, start: int) -> int | None:
    """Return the end offset of the longest valid IBAN prefix of ``candidate``.

    The candidate pattern may swallow a following group (a BIC, a reference); dropping trailing
    groups one by one finds the IBAN inside.
    """
    while len(candidate.replace(" ", "")) >= 15:
        if iban.is_valid(candidate):
            return start + len(candidate)
        trimmed = _GROUP_END.sub("", candidate)
        if trimmed == candidate:
            return None
        candidate = trimmed
    return None
