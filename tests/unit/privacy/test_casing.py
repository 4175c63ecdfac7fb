"""Word lists in explicit case classes match where the same lists under IGNORECASE do."""

from __future__ import annotations

import re
import sys

import pytest

from gateway.privacy.recognizers import address, base, credit_card, kfz, phone, steuer_id, svnr
from gateway.privacy.recognizers.casing import any_case, case_variants
from tests.unit.privacy.test_prefilters import corpus

# Every code point (surrogates included: a str may hold them), for re to pick the ones it matches.
_ALL_CHARACTERS = "".join(map(chr, range(sys.maxunicode + 1)))
# Characters whose case partners lie beyond str.lower and str.upper, in the places keywords are looked for.
_ODD_CASES = "İSTANBUL ıst KFZ-\u212aennzeichen ſteuer-ID ST.-İD TİN STRAẞE ẞ Ort: POSTLEITZAHL:"
_CRAFTED = (
    "Bestellnummer 0301234567",
    "BESTELL-NR.: 123456789",
    "Az. 12 345, AZ 678, aZ: 9, Azubi 12345678901",
    "Tin 12345678901, TINTE 12345678901, St.-Id 12345678901, st-id: 1",
    "KFZ M-AB 1234, Kennzeichen: W 12345 A, Pkw HH-X 12",
    "Tel.: 030 1234567, FON 089 7654321, Handy 0171 1234567",
    "Kreditkarte 4111 1111 1111 1111, KK-Nr 5500 0000 0000 0004, kknr",
    "PLZ/Ort: 10115 Berlin, Wohnort 8001 Zürich, postleitzahl 1010",
    "SV-Nummer 1234 010180, SVN 1234 010180, Sozialversicherung",
    "Lieferung an Hauptstraße 5, Str. 7, ERREICHBAR UNTER Am Berg 3",
    _ODD_CASES,
)

# (current pattern, the pattern as it was written under IGNORECASE, window searched before a place)
_PATTERNS = [
    (
        base.REFERENCE_LABEL,
        (
            r"(?:bestell|rechnungs|kunden|auftrags|vertrags|vorgangs|artikel|sendungs|lieferschein|ticket|"
            r"referenz|beleg|angebots|mitglieds|bearbeitungs|fall|order|invoice|customer|projekt|seriennummer|"
            r"serien|tracking|aktenzeichen|az\b|buchungs|transaktions|registrier|produkt|modell|charge)"
            r"[\w.\- ]{0,14}[:#]?\s*$"
        ),
        30,
    ),
    (
        phone._CONTEXT,
        r"(?:tel|fon|phone|handy|mobil|fax|ruf|anruf|erreich|nummer|whatsapp|hotline|durchwahl|kontakt)",
        30,
    ),
    (
        kfz._CONTEXT,
        (
            r"(?:kennzeichen|kfz|pkw|lkw|fahrzeug|auto|wagen|halter|motorrad|amtl|nummernschild|zulassung|"
            r"parkausweis|stellplatz|schild|parkt|geparkt|unfall)"
        ),
        50,
    ),
    (
        credit_card._CONTEXT,
        r"(?:kredit|karte|card|visa|master|amex|american express|kk-?nr|zahlung)",
        40,
    ),
    (
        steuer_id._CONTEXT,
        r"(?:steuer|st\.?-?id|idnr|id-nr|identifikationsnummer|tin\b|steuerliche)",
        50,
    ),
    (
        address._ADDRESS_CONTEXT,
        (
            r"(?:adresse|anschrift|wohn|straße|str\.|lieferung an|liefer|rechnungsadresse|post|plz|ort:|umzug|"
            r"umgezogen|zugestellt|zustell|sitz|domizil|erreichbar unter|besuchen sie|meldeadresse|hausnummer)"
        ),
        40,
    ),
    (address._POSTCODE_LABEL, r"(?:PLZ|Postleitzahl|Ort|Wohnort)[^:\n]{0,8}:[ \t]*$", 20),
    (svnr._AT_CONTEXT, r"(?:sv-?n|sozialversicherung|versicherungsnummer|svnr|sv-nummer)", 40),
]


@pytest.mark.parametrize("char", sorted(set("abcdefghijklmnopqrstuvwxyzäöüßABCIKLOPSZ .:-&")))
def test_case_variants_are_the_characters_ignorecase_matches(char: str) -> None:
    matched = re.findall(re.escape(char), _ALL_CHARACTERS, re.IGNORECASE)
    assert set(case_variants(char)) == set(matched)


def test_any_case_matches_where_the_list_under_ignorecase_does() -> None:
    words = ["str.", "st-id", "kk-nr", "ort:", "lieferung an", "liefer", "tin", "ab", "a", "straße", "kfz"]
    plain = re.compile("|".join(map(re.escape, words)), re.IGNORECASE)
    pattern = re.compile(any_case(words))
    found = 0
    for text in (*corpus()[:300], *_CRAFTED, "A AB Ab aB STR. Kfz ſtraẞe LIEFERUNG AN TİN tın"):
        for pos in range(len(text)):
            expected = plain.match(text, pos) is not None
            assert (pattern.match(text, pos) is not None) == expected, (text, pos)
            found += expected
    assert found > 0


@pytest.mark.parametrize(("pattern", "original", "window"), _PATTERNS)
def test_keyword_patterns_find_what_they_found_under_ignorecase(
    pattern: re.Pattern[str], original: str, window: int
) -> None:
    plain = re.compile(original, re.IGNORECASE)
    found = 0
    for text in (*corpus()[:1200], *_CRAFTED):
        for end in range(0, len(text) + 1, 3):
            start = max(0, end - window)
            expected = plain.search(text, start, end) is not None
            assert (pattern.search(text, start, end) is not None) == expected, (text, end)
            found += expected
    assert found > 0
