"""Facts about a text that several recognizers read, found once per text instead of once per recognizer.

A pass of ``re`` over a text costs about as much whether it finds much or little, so the runs of digits
(which every number-shaped entity holds) and the text as Latin-1 bytes, also in lower case, are computed
once, when first asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from operator import methodcaller
from typing import Any, Generic, TypeVar

from gateway.privacy.recognizers.scanning import StartIndex, occurrences

_DIGITS = re.compile(r"\d\d*")  # not "\d+": re skips ahead to a first character only when it is given alone
# Latin-1 bytes with each ASCII digit as "0" and everything else as "x": runs of "0" are the runs of
# digits, and re finds a pattern that starts with a literal far faster than one that starts with a class.
_DIGIT_MASK = bytes(ord("0") if chr(code).isdecimal() else ord("x") for code in range(256))
_ZEROS = re.compile(rb"00*")
# Latin-1 with each of A-Z as "A" and everything else as ".".
_CAPITALS = bytes(ord("A") if "A" <= chr(code) <= "Z" else ord(".") for code in range(256))
# Latin-1 in lower case: each of its characters lowers to one Latin-1 character.
_LOWER_LATIN1 = bytes(ord(chr(code).lower()) for code in range(256))
_SPAN, _START = methodcaller("span"), methodcaller("start")  # mapped over matches without a Python call
# Beyond this many characters outside Latin-1 (each may be a digit of another script), the plain pattern.
_MAX_OTHER_CHARS = 16


_T = TypeVar("_T")


class _computed_once(Generic[_T]):  # a decorator, named like cached_property
    """``functools.cached_property`` without its lock (Python 3.11 takes one on every first read, which
    cost more than computing some of these facts): a fact is computed once per text, by one thread."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    def __get__(self, facts: Any, owner: type | None = None) -> _T:
        value = self._compute(facts)
        facts.__dict__[self._name] = value  # read from the instance from now on, past this descriptor
        return value


class TextFacts:
    """One text and what is known about it; each fact is computed when first read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._places: dict[StartIndex, dict[Hashable, list[int]]] = {}

    def places(self, index: StartIndex) -> dict[Hashable, list[int]]:
        """``index.places(text)``, found once: recognizers that share an index share its pass."""
        found = self._places.get(index)
        if found is None:
            found = self._places[index] = index.places(self.text)
        return found

    @_computed_once
    def _digit_matches(self) -> list[re.Match[str]] | list[re.Match[bytes]]:
        text, latin = self.text, self.latin1
        # in Latin-1 the only digits are 0-9
        if latin.count(b"?") > text.count("?") and _other_digits(text, latin):
            return list(_DIGITS.finditer(text))
        return list(_ZEROS.finditer(latin.translate(_DIGIT_MASK)))

    @_computed_once
    def digit_runs(self) -> list[tuple[int, int]]:
        """``(start, end)`` of every maximal run of digits (``\\d``, so any script's digits), in order."""
        return list(map(_SPAN, self._digit_matches))

    @_computed_once
    def latin1(self) -> bytes:
        """The text in Latin-1, one byte per character: ``?`` for each character outside it.

        ``bytes.translate`` maps it to classes of characters at C speed, and ``bytes.find`` then finds
        where a pattern can start far faster than ``re`` finds a character of a class.
        """
        return self.text.encode("latin-1", "replace")

    @_computed_once
    def lowered_latin1(self) -> bytes:
        """:attr:`latin1` in lower case, far cheaper than ``str.lower`` on a text beyond ASCII.

        A string of characters that nothing beyond Latin-1 lowers to (so without i, k, å, ß and ÿ, which
        İ, the Kelvin and Ångström signs, ẞ and Ÿ lower to) occurs in ``text.lower()`` exactly when its
        Latin-1 bytes occur here.
        """
        return self.latin1.translate(_LOWER_LATIN1)

    @_computed_once
    def capitals(self) -> bytes:
        """One byte per character: ``A`` for each of A-Z, ``.`` for any other (``find`` tells where one is)."""
        return self.latin1.translate(_CAPITALS)

    @_computed_once
    def capital_pairs(self) -> list[int]:
        """Where two capitals A-Z follow each other (a country code, say), in order."""
        return occurrences(self.capitals, b"AA")

    @_computed_once
    def digit_starts(self) -> list[int]:
        """Where each run of digits starts: a number that no digit or letter precedes starts at one."""
        return list(map(_START, self._digit_matches))


def _other_digits(text: str, latin: bytes) -> bool:
    """Tell whether a character outside Latin-1 may be a digit (``\\d`` is ``str.isdecimal``)."""
    checked = 0
    at = latin.find(b"?")
    while at >= 0:
        if text[at] != "?":
            checked += 1
            if checked > _MAX_OTHER_CHARS or text[at].isdecimal():
                return True
        at = latin.find(b"?", at + 1)
    return False
