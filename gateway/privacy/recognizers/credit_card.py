"""CREDIT_CARD: card numbers with a valid Luhn check digit and a card-issuer prefix (python-stdnum)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import luhn

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.base import is_reference_number, preceded_by
from gateway.privacy.recognizers.casing import any_case
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import NotAfter, scan

# Visa 4, Mastercard 51-55/22-27, Amex 34/37, Discover/UnionPay 6, Diners 36/38/30, JCB 35.
_CANDIDATE = NotAfter(
    r"(?:4|5[1-5]|2[2-7]|3[0-8]|6)\d{1,3}(?:[ -]?\d{2,4}){2,4}(?:[ -]?\d{1,3})?(?![\d]|[.,]\d)", r"[\d.,-]"
)
# Each ASCII digit -> the digit whose value is the digit sum of its double, for the digits Luhn doubles.
_DOUBLED = bytes.maketrans(b"0123456789", "".join(str(sum(divmod(2 * d, 10))) for d in range(10)).encode())
_ZERO = ord("0")
_GROUPED = re.compile(r"^\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}$|^\d{4}([ -])\d{6}\2\d{5}$")
_CONTEXT = re.compile(
    any_case(["kredit", "karte", "card", "visa", "master", "amex", "american express", "kknr", "kk-nr", "zahlung"])
)


class CreditCardRecognizer:
    """Finds Luhn-valid card numbers, written in groups or announced as a card."""

    types = frozenset({"CREDIT_CARD"})

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every credit card number in ``text``."""
        for match in scan(_CANDIDATE, text, candidate_starts(text, facts)):
            digits = match.group().replace(" ", "").replace("-", "")  # all it holds besides digits
            if not 13 <= len(digits) <= 19 or not _luhn_valid(digits):
                continue
            if preceded_by(text, match.start(), _CONTEXT, window=40):
                yield Entity("CREDIT_CARD", match.start(), match.end(), 0.95)
            elif _GROUPED.match(match.group()) and not is_reference_number(text, match.start()):
                yield Entity("CREDIT_CARD", match.start(), match.end(), 0.8)


def candidate_starts(text: str, facts: TextFacts) -> list[int]:
    """Where a candidate may start: at a run of digits (no digit may precede it) that begins with an
    issuer's prefix and holds at least two digits (the prefix and one more)."""
    return [start for start, end in facts.digit_runs if end - start >= 2 and text[start] in "23456"]


def _luhn_valid(digits: str) -> bool:
    """``stdnum.luhn.is_valid`` without a step of Python per digit; other scripts' digits go to stdnum.

    The digit sum is the sum of the ASCII codes less that of "0" for each digit.
    """
    if not digits or not digits.isascii():
        return luhn.is_valid(digits)
    backwards = digits[::-1].encode()
    return (sum(backwards[::2]) + sum(backwards[1::2].translate(_DOUBLED)) - _ZERO * len(backwards)) % 10 == 0
