"""The detection result shared by every recognizer and the analyzer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entity:
    """One detected piece of personal data.

    Attributes:
        type: Entity type such as ``PERSON`` or ``IBAN``.
        start: Start offset (Python ``str`` index, code points).
        end: End offset, exclusive.
        score: Confidence in ``[0, 1]``.
    """

    type: str
    start: int
    end: int
    score: float

    def overlaps(self, other: Entity) -> bool:
        """Tell whether two spans share at least one character."""
        return self.start < other.end and other.start < self.end
