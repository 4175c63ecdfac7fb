"""A deliberately naive regex detector, used to exercise the harness before the real one exists."""

from __future__ import annotations

import re

from stdnum import iban

from bench.pii.metrics import Span

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b")
_PHONE = re.compile(r"(?:\+|\(0|0)[\d ()/-]{7,}\d")


def detect(text: str) -> list[Span]:
    """Find e-mail addresses, valid IBANs and phone-like digit runs."""
    found = [Span("EMAIL", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    found += [Span("IBAN", m.start(), m.end()) for m in _IBAN.finditer(text) if iban.is_valid(m.group())]
    taken = [(s.start, s.end) for s in found]
    found += [
        Span("PHONE", m.start(), m.end())
        for m in _PHONE.finditer(text)
        if not any(a < m.end() and m.start() < b for a, b in taken)
    ]
    return found
