"""VAT_ID: EU VAT numbers (USt-IdNr, UID) and Swiss UID/MWST numbers, checksum-validated (python-stdnum)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum.ch import uid as ch_uid
from stdnum.eu import vat

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import NotAfter, scan

_OTHER_EU_CODES = "AT BE BG CY CZ DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
# Every alternative starts with a literal letter (the other EU countries are spelled out one by one),
# which lets NotAfter's search skip straight to them.
_CANDIDATE = NotAfter(
    r"(?:CHE[- ]?\d{3}\.?\d{3}\.?\d{3}(?: ?(?:MWST|TVA|IVA))?|ATU ?\d{8}|DE ?\d{3} ?\d{3} ?\d{3}|"
    + "|".join(f"{country}[0-9A-Z]{{8,12}}" for country in _OTHER_EU_CODES.split())
    + r")(?![\w-])",
    r"[\w-]",
)


class VatIdRecognizer:
    """Finds VAT identification numbers whose check digits are valid."""

    types = frozenset({"VAT_ID"})

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every valid VAT id in ``text``."""
        # every candidate starts with a country code: two capitals A-Z
        for match in scan(_CANDIDATE, text, facts.capital_pairs):
            value = match.group()
            valid = (
                ch_uid.is_valid(re.sub(r" ?(?:MWST|TVA|IVA)$", "", value))
                if value.startswith("CHE")
                else vat.is_valid(value)
            )
            if valid:
                yield Entity("VAT_ID", match.start(), match.end(), 0.95)
