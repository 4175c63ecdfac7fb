"""Facts about a text that several recognizers read, found once per text instead of once per recognizer.

A pass of ``re`` over a text costs about as much whether it finds much or little, so the runs of digits
(which every number-shaped entity holds) and the lower-cased text are computed once, when first asked for.
"""

from __future__ import annotations

import re
from functools import cached_property

_DIGITS = re.compile(r"\d+")


class TextFacts:
    """One text and what is known about it; each fact is computed when first read."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def digit_runs(self) -> list[tuple[int, int]]:
        """``(start, end)`` of every maximal run of digits (``\\d``, so any script's digits), in order."""
        return [match.span() for match in _DIGITS.finditer(self.text)]

    @cached_property
    def digit_starts(self) -> list[int]:
        """Where each run of digits starts: a number that no digit or letter precedes starts at one."""
        return [start for start, _ in self.digit_runs]

    @cached_property
    def lowered(self) -> str:
        """The text in lower case."""
        return self.text.lower()
