"""Faster ways to run a pattern over a text that find exactly the matches ``finditer`` would.

A pattern that begins with a lookbehind, a repeat or an optional group is attempted at every position of
the text; ``re`` skips ahead quickly only when a pattern begins with a character, a character class or
alternatives that each begin with a literal. Each scanner here keeps the pattern's matches and spends
its time only where a match can start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from operator import methodcaller
from typing import AnyStr

_START = methodcaller("start")  # mapped over matches without a Python call


class NotAfter:
    """A pattern that must not start right after a character of a class: ``(?<![class])body``, found faster.

    ``re`` skips quickly to the places where a pattern can start only when the pattern begins with a
    character, a character class or alternatives that each begin with a literal; a leading lookbehind
    makes it attempt a match at every position. So ``body`` is searched alone and the lookbehind is
    checked on each match; after a rejected match the search resumes one character later, which yields
    exactly the matches of the lookbehind pattern.
    """

    def __init__(self, body: str, not_after: str, flags: int = 0, starts: tuple[str, ...] = ()) -> None:
        """Compile the pattern.

        Args:
            body: The pattern without its leading lookbehind.
            not_after: The character class the match must not follow, such as ``[\\w-]``.
            flags: ``re`` flags for ``body``.
            starts: Strings one of which every match starts with (its alternatives' first words). When
                given, the pattern is tried only where one of them occurs, found with ``str.find``.
        """
        self.body = re.compile(body, flags)
        self._rejects = re.compile(not_after)
        self._starts = starts

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Yield the non-overlapping matches in ``text``, as ``re.finditer`` with the lookbehind would."""
        if self._starts:
            return matches_at(self.match, text, sorted(occurrences(text, *self._starts)))
        return self._search(text)

    def _search(self, text: str) -> Iterator[re.Match[str]]:
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

    @property
    def starts(self) -> tuple[str, ...]:
        """The strings one of which every match starts with; empty when not given."""
        return self._starts

    def finditer_at(self, text: str, places: Iterable[int]) -> Iterator[re.Match[str]]:
        """The matches of :meth:`finditer`, given in order at least every place where one of the pattern's
        starts occurs (its places from :meth:`StartIndex.places`)."""
        return matches_at(self.match, text, places)


class StartIndex:
    """Where the strings of several groups (the starts of several patterns) occur, found by one pass of
    ``re`` and sorted out by group.

    A ``str.find`` per string, or a search per pattern, costs about as much each as this one pass for all
    of them. Each match is the first character of a string, the rest stands in a lookahead: so every
    occurrence is found, also one that overlaps another, and ``re`` skips ahead to the first characters.
    A place goes to each group with a string that starts with the same two characters as the text there.
    """

    def __init__(self, groups: Mapping[Hashable, tuple[str, ...]]) -> None:
        """Compile the pass.

        Args:
            groups: For each key (a pattern, say), the strings one of which each of its matches starts with;
                each of two characters or more.
        """
        rests: dict[str, set[str]] = {}
        owners: dict[str, list[Hashable]] = {}
        for key, strings in groups.items():
            for string in strings:
                if len(string) < 2:
                    raise ValueError(f"{string!r}: places are sorted out by two characters")
                rests.setdefault(string[0], set()).add(string[1:])
                owner = owners.setdefault(string[:2], [])
                if key not in owner:
                    owner.append(key)
        self._owners = {pair: tuple(keys) for pair, keys in owners.items()}
        self._pattern = re.compile(
            "|".join(
                f"{re.escape(first)}(?={'|'.join(map(re.escape, sorted(rest)))})" for first, rest in rests.items()
            )
        )

    def places(self, text: str) -> dict[Hashable, list[int]]:
        """For each key with a string that may occur in ``text``, in order, every place where one of its
        strings occurs (and the few other places where one of the strings of any group occurs and the
        text starts with the same two characters); keys without such a place are left out."""
        found: dict[Hashable, list[int]] = {}
        owners = self._owners
        for place in map(_START, self._pattern.finditer(text)):
            for key in owners[text[place : place + 2]]:
                if key in found:
                    found[key].append(place)
                else:
                    found[key] = [place]
        return found


# (earliest, position, stop): a window of finditer_windows.
Window = tuple[int, int, int]


def finditer_windows(
    pattern: re.Pattern[str], text: str, windows: Iterable[Window]
) -> Iterator[re.Match[str]]:
    """The matches of ``pattern.finditer(text)``, for a pattern slow to run over a whole text.

    Each match must hold a window that is cheap to find (a house number after a street suffix, the colon
    after a form label): it starts at the window's ``earliest`` or later and before its ``position``.
    So no match can start between the end of the previous match and the next window, and each search
    begins at the first place a match can start. It ends at the window's ``stop``, and so it must not
    matter to any attempt to match that starts before ``stop`` whether the text ends there (``len(text)``
    always does).

    Args:
        pattern: The compiled pattern.
        text: The text.
        windows: ``(earliest, position, stop)`` triples with ``position <= stop``, in any order; every
            match must have one with ``earliest <= match.start() < position``.
    """
    ordered = sorted(windows, key=lambda window: window[1])
    # The lowest earliest start of this window and all later ones: a match holding a later window
    # may start before this one's earliest start.
    floors = [earliest for earliest, _, _ in ordered]
    for index in range(len(floors) - 2, -1, -1):
        floors[index] = min(floors[index], floors[index + 1])
    pos = index = 0
    while index < len(ordered):
        _, position, stop = ordered[index]
        match = pattern.search(text, max(pos, floors[index]), stop) if position > pos else None
        if match is None:
            index += 1  # no match starts before this window's stop
            continue
        yield match
        pos = match.end()


def matches_at(
    match: Callable[[str, int], re.Match[str] | None], text: str, starts: Iterable[int]
) -> Iterator[re.Match[str]]:
    """The matches of a pattern's ``finditer`` over ``text``, for a pattern whose every match starts at
    one of ``starts`` (such as the start of a run of digits): it is tried there alone.

    Args:
        match: The pattern's ``match`` (or :meth:`NotAfter.match`), tried at one position of the text.
        text: The text.
        starts: Increasing positions, among them the start of every match.
    """
    end = 0
    for start in starts:
        if start >= end and (found := match(text, start)) is not None:
            yield found
            end = found.end()


# Trying a pattern at one place from Python costs about as much as re's own search spends on this many
# characters: with more candidate places than one per this many characters, the plain search is quicker.
CHARS_PER_TRY = 64


def scan(pattern: re.Pattern[str] | NotAfter, text: str, starts: Sequence[int]) -> Iterator[re.Match[str]]:
    """The matches of ``pattern.finditer(text)``, tried only at ``starts`` (see :func:`matches_at`) when
    they are few, and found by the pattern's own search when they are many (texts full of numbers)."""
    if len(starts) * CHARS_PER_TRY > len(text):
        return pattern.finditer(text)
    return matches_at(pattern.match, text, starts)


def finditer_near(
    pattern: re.Pattern[str], text: str, windows: Iterable[tuple[int, int]], reach: int
) -> Iterator[re.Match[str]]:
    """The matches of ``pattern.finditer(text)``, for a pattern of bounded length whose every match starts
    in a window ``[earliest, position)`` cheap to find (a few characters before a run of digits).

    Each search stops ``reach`` characters after the last start it may accept, so that it does not run on
    over the text; a match it finds from there on is not taken (it may be one only because the search
    stopped), and a later window finds the real one.

    Args:
        pattern: The compiled pattern; it never matches the empty string.
        text: The text.
        windows: ``(earliest, position)`` pairs in order, each after the one before (``earliest`` past its
            ``position``); every match starts in one of them.
        reach: How far from its start any attempt to match reads at most: the longest match and what
            lookaheads read after it.
    """
    end = 0
    for earliest, position in windows:
        while (start := max(end, earliest)) < position:
            found = pattern.search(text, start, position - 1 + reach)
            if found is None or found.start() >= position:
                break
            yield found
            end = found.end()


class Windowed:
    """A pattern searched only in the windows (see :func:`finditer_windows`) a function finds for a text."""

    def __init__(
        self, pattern: str, windows: Callable[[str], Iterable[Window]], keys: tuple[str, ...] = ()
    ) -> None:
        """Compile the pattern.

        Args:
            pattern: The pattern.
            windows: Finds the windows of a text; every match must hold one.
            keys: Strings of which every match holds one (see :func:`holds_any`); none means no such test.
        """
        self.pattern = re.compile(pattern)
        self._windows = windows
        self._keys = keys

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Yield the non-overlapping matches in ``text``, as ``re.finditer`` would."""
        if not holds_any(text, self._keys):
            return iter(())
        return finditer_windows(self.pattern, text, self._windows(text))


class Endings:
    """``str.endswith`` with a tuple of many strings, faster: ``endswith`` compares each string of a tuple in
    turn, and here only those that end in the word's last character are compared."""

    def __init__(self, endings: Iterable[str]) -> None:
        groups: dict[str, tuple[str, ...]] = {}
        for ending in endings:
            if not ending:
                raise ValueError("every word ends with the empty string")
            groups[ending[-1]] = (*groups.get(ending[-1], ()), ending)
        self._groups = groups

    def end(self, word: str) -> bool:
        """Tell whether ``word`` ends with one of the endings."""
        endings = self._groups.get(word[-1:])
        return endings is not None and word.endswith(endings)


def holds_any(text: AnyStr, keys: tuple[AnyStr, ...]) -> bool:
    """Tell whether ``text`` holds one of ``keys``, or ``keys`` is empty.

    A pattern whose every match contains one of a few fixed strings cannot match a text without them,
    and ``in`` finds a string far faster than ``re`` runs a pattern over the text: a cheap test first.
    """
    if not keys:
        return True
    for key in keys:
        if key in text:
            return True
    return False


def occurrences(text: AnyStr, *needles: AnyStr) -> list[int]:
    """Every position where one of ``needles`` occurs in ``text``, found by ``str.find`` (for a few
    fixed strings far faster than ``re``), grouped by needle."""
    found = []
    for needle in needles:
        at = text.find(needle)
        while at >= 0:
            found.append(at)
            at = text.find(needle, at + 1)
    return found


def words_back(text: str, pos: int, count: int) -> int:
    """A place at or before the start of the ``count``-th word before ``pos`` on its line.

    Words are separated by whitespace; a word that ``pos`` stands inside or right after counts as the
    first. The line's start when it has fewer words.
    """
    line_start = text.rfind("\n", 0, pos) + 1
    parts = text[line_start:pos].rsplit(None, count)
    return line_start if len(parts) <= count else line_start + len(parts[0])


def skip(text: str, pos: int, chars: str) -> int:
    """The offset of the first character at or after ``pos`` that is not one of ``chars``."""
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos
