"""EMAIL: plain addresses and the obfuscated ``name (at) firma.de`` forms."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import occurrences

_LOCAL = r"[\w.%+'-]*\w"
_DOMAIN = r"(?:[\w-]+\.)+[A-Za-z]{2,24}"
_PLAIN = re.compile(rf"(?<![\w.%+-]){_LOCAL}@{_DOMAIN}(?![\w-])")
# Obfuscated forms: the "at" must be bracketed (plain " at " is too common in English text),
# the dots may be written out.
_AT = r"\s?(?:\(at\)|\[at\]|\{at\}|\(ät\)|\[ät\]|\(a\)|\[@\]|\(@\))\s?"
_DOT = r"(?:\.|\s?(?:\(dot\)|\[dot\]|\(punkt\)|\[punkt\])\s?)"
# Every match of _AT holds one of these, lower-cased: without one, the slow case-insensitive pass
# cannot match ("ät" alone, as in "Bestätigung", let it run over most German texts).
_AT_MARKERS = tuple(
    marker.encode("latin-1") for marker in ("(at)", "[at]", "{at}", "(ät)", "[ät]", "(a)", "[@]", "(@)")
)
_AE_T = "ät".encode("latin-1")
_MAX_LOCAL = 64  # RFC 5321 limit of the local part
_MAX_DOMAIN = 256
_OBFUSCATED = re.compile(
    rf"(?<![\w.%+-]){_LOCAL}{_AT}(?:[\w-]+{_DOT})+[A-Za-z]{{2,24}}(?![\w-])", re.IGNORECASE
)
# A character of _LOCAL and the blank _AT may start with, under the same flags as _OBFUSCATED.
_LOCAL_CHAR = re.compile(r"[\w.%+'-]", re.IGNORECASE)
_BLANK = re.compile(r"\s", re.IGNORECASE)


class EmailRecognizer:
    """Finds e-mail addresses, also with ``(at)``/``[dot]`` obfuscation."""

    types = frozenset({"EMAIL"})

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every e-mail address in ``text``."""
        at = text.find("@")
        while at >= 0:
            match = _around(text, at)
            if match is not None:
                yield Entity("EMAIL", match.start(), match.end(), 0.98)
                at = text.find("@", match.end())
            else:
                at = text.find("@", at + 1)
        # the markers have none of the letters that characters beyond Latin-1 lower to (see TextFacts)
        lowered = facts.lowered_latin1
        if _has_marker(lowered) and _may_be_obfuscated(facts.latin1, lowered):
            for match in obfuscated(text, lowered):
                yield Entity("EMAIL", match.start(), match.end(), 0.9)


def obfuscated(text: str, lowered: bytes) -> Iterator[re.Match[str]]:
    """The matches of ``_OBFUSCATED.finditer(text)``, tried only in the local part before each marker.

    The slow case-insensitive pattern is attempted at every place of a text by its own search. Each
    match holds one marker (the local part and the domain hold no bracket, and no written-out dot holds
    a marker), and its local part is a run of _LOCAL's characters that ends at the marker or at one blank
    before it: so a match starts in that run, and only there is it tried.

    Args:
        text: The text.
        lowered: :attr:`TextFacts.lowered_latin1` of the text, where each marker occurs as in
            ``text`` in any case (they hold no letter that any character beyond Latin-1 matches).
    """
    end = 0
    for at in sorted(set(occurrences(lowered, *_AT_MARKERS))):
        local_end = at - 1 if at > 0 and _BLANK.match(text, at - 1) else at
        start = local_end
        while start > end and _LOCAL_CHAR.match(text, start - 1):
            start -= 1
        for pos in range(max(start, end), local_end):
            match = _OBFUSCATED.match(text, pos)
            if match is not None:
                yield match
                end = match.end()
                break


def _has_marker(lowered: bytes) -> bool:
    """Tell whether one of _AT_MARKERS occurs: each starts with a bracket, and texts have few of those."""
    for bracket in (b"(", b"[", b"{"):
        at = lowered.find(bracket)
        while at >= 0:
            if lowered.startswith(_AT_MARKERS, at):
                return True
            at = lowered.find(bracket, at + 1)
    return False


def _may_be_obfuscated(text: bytes, lowered: bytes) -> bool:
    """The original gate of the obfuscated pass, kept so that results stay as they were.

    It misses a text whose only marker is ``{at}``: such an address is found only when one of these
    other fragments also occurs somewhere in the text.
    """
    return (
        b"at)" in lowered
        or b"at]" in lowered
        or _AE_T in lowered
        or b"@]" in text
        or b"@)" in text
        or b"(a)" in lowered
    )


def _around(text: str, at: int) -> re.Match[str] | None:
    """The address containing the ``@`` at ``at``, if any.

    Only a window around each ``@`` is searched (scanning the whole text for local parts is the slow
    part). The window may hold an earlier address too, as in ``An: a@x.de`` after ``Von: b@y.de``, so
    every match in it is checked, not only the first. No match holds a space, so none that starts before
    the last space before the ``@`` reaches past it: the search starts after that space.
    """
    earliest = max(0, at - _MAX_LOCAL)
    for match in _PLAIN.finditer(text, text.rfind(" ", earliest, at) + 1 or earliest, at + _MAX_DOMAIN):
        if match.start() <= at < match.end():
            return match
    return None
