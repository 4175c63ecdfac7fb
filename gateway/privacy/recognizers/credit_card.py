"""CREDIT_CARD: card numbers with a valid Luhn check digit and a card-issuer prefix (python-stdnum)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import luhn

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.base import is_reference_number, preceded_by
from gateway.privacy.recognizers.scanning import NotAfter

# Visa 4, Mastercard 51-55/22-27, Amex 34/37, Discover/UnionPay 6, Diners 36/38/30, JCB 35.
_CANDIDATE = NotAfter(
    r"(?:4|5[1-5]|2[2-7]|3[0-8]|6)\d{1,3}(?:[ -]?\d{2,4}){2,4}(?:[ -]?\d{1,3})?(?![\d]|[.,]\d)", r"[\d.,-]"
)
_GROUPED = re.compile(r"^\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}$|^\d{4}([ -])\d{6}\2\d{5}$")
_CONTEXT = re.compile(
    r"(?:kredit|karte|card|visa|master|amex|american express|kk-?nr|zahlung)", re.IGNORECASE
)


class CreditCardRecognizer:
    """Finds Luhn-valid card numbers, written in groups or announced as a card."""

    types = frozenset({"CREDIT_CARD"})

    def find(self, text: str) -> Iterator[Entity]:
        """Yield every credit card number in ``text``."""
        for match in _CANDIDATE.finditer(text):
            digits = re.sub(r"\D", "", match.group())
            if not 13 <= len(digits) <= 19 or not luhn.is_valid(digits):
                continue
            if preceded_by(text, match.start(), _CONTEXT, window=40):
                yield Entity("CREDIT_CARD", match.start(), match.end(), 0.95)
            elif _GROUPED.match(match.group()) and not is_reference_number(text, match.start()):
                yield Entity("CREDIT_CARD", match.start(), match.end(), 0.8)
