"""Find cue phrases in text fast: a set intersection on word prefixes, then C-level substring checks.

Regex alternations with hundreds of branches try every branch at every position (about 2 µs per character for
our cue lists). Here the text is split once, the first three letters of every word go into a set, and only the
phrases whose prefix occurs are searched for, so a 20-page paste costs a fraction of a millisecond.
A phrase matches at a word start and may end inside a word, so "herleit" matches "Herleitung".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from operator import itemgetter

_KEY = 3  # phrases are bucketed by their first three characters
_prefix = itemgetter(slice(None, _KEY))
# Punctuation becomes space so "Beweise, dass" reads as "beweise dass"; § and digits stay, they are cues.
_PUNCT = re.compile(r"[^\w§' ]+")


def normalise(text: str) -> str:
    """Lower case, punctuation as space, single spaces, one leading space: the form phrases are matched in."""
    return " " + " ".join(_PUNCT.sub(" ", text.lower()).split())


class StemIndex:
    """Which named groups of phrases occur in a text.

    Args:
        groups: name → phrases, written lower case without punctuation and single-spaced, at least three
            characters long.
    """

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self._buckets: dict[str, list[tuple[str, str]]] = {}
        for name, phrases in groups.items():
            for phrase in phrases:
                if len(phrase) < _KEY or phrase != normalise(phrase)[1:]:
                    raise ValueError(f"phrase must be normalised and >= {_KEY} characters: {phrase!r}")
                self._buckets.setdefault(phrase[:_KEY], []).append((" " + phrase, name))
        self._keys = frozenset(self._buckets)

    def find(self, normalised: str) -> set[str]:
        """Names of the groups with at least one phrase in `normalised` (the output of `normalise`)."""
        found: set[str] = set()
        for key in self._keys.intersection(map(_prefix, set(normalised.split()))):
            for phrase, name in self._buckets[key]:
                if name not in found and phrase in normalised:
                    found.add(name)
        return found
