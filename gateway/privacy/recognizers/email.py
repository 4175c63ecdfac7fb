"""EMAIL: plain addresses and the obfuscated ``name (at) firma.de`` forms."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.privacy.entities import Entity

_LOCAL = r"[\w.%+'-]*\w"
_DOMAIN = r"(?:[\w-]+\.)+[A-Za-z]{2,24}"
_PLAIN = re.compile(rf"(?<![\w.%+-]){_LOCAL}@{_DOMAIN}(?![\w-])")
# Obfuscated forms: the "at" must be bracketed (plain " at " is too common in English text),
# the dots may be written out.
_AT = r"\s?(?:\(at\)|\[at\]|\{at\}|\(ät\)|\[ät\]|\(a\)|\[@\]|\(@\))\s?"
_DOT = r"(?:\.|\s?(?:\(dot\)|\[dot\]|\(punkt\)|\[punkt\])\s?)"
_OBFUSCATED = re.compile(
    rf"(?<![\w.%+-]){_LOCAL}{_AT}(?:[\w-]+{_DOT})+[A-Za-z]{{2,24}}(?![\w-])", re.IGNORECASE
)


class EmailRecognizer:
    """Finds e-mail addresses, also with ``(at)``/``[dot]`` obfuscation."""

    types = frozenset({"EMAIL"})

    def find(self, text: str) -> Iterator[Entity]:
        """Yield every e-mail address in ``text``."""
        if "@" in text:
            for match in _PLAIN.finditer(text):
                yield Entity("EMAIL", match.start(), match.end(), 0.98)
        lowered = text.lower()
        if "at)" in lowered or "at]" in lowered or "ät" in lowered or "@]" in text or "@)" in text \
                or "(a)" in lowered:
            for match in _OBFUSCATED.finditer(text):
                yield Entity("EMAIL", match.start(), match.end(), 0.9)
