"""BIC: SWIFT codes, only where the text announces one (they look like ordinary upper-case words)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import bic

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import holds_any

_ANNOUNCED = re.compile(
    r"(?:BIC|SWIFT|Swift-Code|SWIFT-Code|BIC/SWIFT)[ \t]*(?:-Code)?[ \t]*[:.]?[ \t]*"
    r"(?P<bic>[A-Z]{4}[ ]?[A-Z]{2}[ ]?[A-Z0-9]{2}(?:[ ]?[A-Z0-9]{3})?)(?![\w])"
)

# Every match of _ANNOUNCED starts with one of these.
_LABELS = ("BIC", "SWIFT", "Swift-Code")


class BicRecognizer:
    """Finds BICs after a ``BIC``/``SWIFT`` label."""

    types = frozenset({"BIC"})

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every labelled, well-formed BIC in ``text``."""
        if not holds_any(text, _LABELS):
            return
        for match in _ANNOUNCED.finditer(text):
            if bic.is_valid(match.group("bic")):
                yield Entity("BIC", match.start("bic"), match.end("bic"), 0.95)
