"""Find cue phrases in text in one linear pass: words are looked up by their first letters in a dict.

Regex alternations with hundreds of branches try every branch at every position (about 2 µs per character
for our cue lists); this index reads each word once, so a 20-page paste costs well under a millisecond.
A phrase matches at a word start and may end inside a word, so "herleit" matches "Herleitung".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[\w§][\w'-]*")
_KEY = 3  # phrases are bucketed by their first three characters


def normalise(text: str) -> str:
    """Lower case, single spaces: phrases are written in that form."""
    return " ".join(text.lower().split())


class StemIndex:
    """Which named groups of phrases occur in a text.

    Args:
        groups: name → phrases (lower case, single spaces; at least `_KEY` characters each).
    """

    def __init__(self, groups: dict[str, Iterable[str]]) -> None:
        self._buckets: dict[str, list[tuple[str, str]]] = {}
        for name, phrases in groups.items():
            for phrase in phrases:
                if len(phrase) < _KEY:
                    raise ValueError(f"phrase too short for the index: {phrase!r}")
                self._buckets.setdefault(phrase[:_KEY], []).append((phrase, name))

    def find(self, normalised: str) -> set[str]:
        """Names of the groups with at least one phrase in `normalised` (see `normalise`)."""
        found: set[str] = set()
        buckets = self._buckets
        for match in _WORD.finditer(normalised):
            candidates = buckets.get(match.group()[:_KEY])
            if candidates is None:
                continue
            start = match.start()
            for phrase, name in candidates:
                if name not in found and normalised.startswith(phrase, start):
                    found.add(name)
        return found
