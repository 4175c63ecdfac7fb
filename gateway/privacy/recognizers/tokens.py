"""The name-shaped words of a text (``person_rules.ANY_TOKEN``), for the passes that look them up.

Most words of a text are neither a first name nor a surname found before. So the words are read with
``findall`` (no match object per word), looked up with set operations, and only the few that are hits
are located, where they occur as a whole word.
"""

from __future__ import annotations

from gateway.privacy.recognizers import person_rules as rules
from gateway.privacy.recognizers.scanning import occurrences

Span = tuple[int, int]


class Tokens:
    """The name-shaped words of a text, in order."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.words: list[str] = rules.ANY_TOKEN.findall(text)

    def hyphenated(self) -> list[str]:
        """The double names ("Kai-Uwe"), which a name list matches only part by part."""
        if "-" not in self._text:
            return []
        return [word for word in self.words if "-" in word]

    def among(self, words: set[str] | frozenset[str]) -> list[Span]:
        """The spans of the name-shaped words that are in ``words``, in order.

        A name-shaped word is what ANY_TOKEN matches where one starts: its matches cannot overlap (one
        starts after no letter, digit or hyphen, and inside one an apostrophe precedes only small letters),
        so every place where it matches is one of them.
        """
        text = self._text
        spans = []
        for word in words.intersection(self.words):
            for start in occurrences(text, word):
                match = rules.ANY_TOKEN.match(text, start)
                if match is not None and match.end() == start + len(word):
                    spans.append((start, match.end()))
        return sorted(spans)
