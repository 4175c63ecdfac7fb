"""ADDRESS: two spans, street + house number and postcode + city. A bare city is not an address."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from itertools import chain

from stdnum.at import postleitzahl

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.base import preceded_by
from gateway.privacy.recognizers.casing import any_case
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import Window, finditer_windows
from gateway.privacy.recognizers.start_words import OF_FORM, START_WORDS
from gateway.privacy.recognizers.streets import (
    PREFIX_STREET,
    STRONG_STREET,
    WEAK_STREET,
    is_everyday_compound,
    street_windows,
)

_CITY_WORD = r"[A-ZÄÖÜ][\wäöüß'.-]*[\wäöüß.]"
_CITY_PREFIX = r"(?:(?:Bad|St\.|Sankt|Groß|Klein|Alt|Neu|Markt|Hansestadt|Lutherstadt|Ostseebad|Nordseebad|Le|La|Les) |L')?"
# A second capitalised word ("Leipziger Land", "Griesbach Rottal") only where the place name visibly ends
# (punctuation or line end), and never a country or a word that starts the next phrase.
_CITY_SECOND = (
    r"(?:(?<!\.) (?!(?:Deutschland|Österreich|Schweiz|Germany|Austria|Switzerland|Tel|Telefon|Fax|Mobil|Bitte|Danke)"
    rf"\b){_CITY_WORD}(?=[ \t]*(?:[,;)|\n]|\.(?:\s|$)|$)))?"
)
_CITY_TAIL = (
    r"(?: (?:am|an der|an dem|im|in der|in|ob der|bei|vor der|unter|auf|a\.|i\.|b\.|v\. d\.|a\. d\.|"
    rf"i\. d\.|ob) ?{_CITY_WORD}| ?\([A-ZÄÖÜ][\wäöüß. ]*\)|/{_CITY_WORD})?"
)
_PLZ_CITY = re.compile(
    rf"(?<![\w.,/-])(?:(?P<country>D|A|CH|DE|AT|FL)-)?(?P<plz>\d{{4,5}}) (?P<city>{_CITY_PREFIX}{_CITY_WORD}{_CITY_SECOND}{_CITY_TAIL})"
)
# Words that follow numbers in ordinary prose ("50000 Besucher", "12000 Euro").
_NOT_CITY_WORDS = (
    "Euro EUR CHF Dollar USD Franken Mitarbeiter Mitarbeitende Beschäftigte Stück Kunden Menschen Einwohner "
    "Besucher Exemplare Punkte Kilometer Meter Tonnen Liter Teilnehmer Nutzer Personen Fälle Jahre Tage "
    "Stunden Minuten Sekunden Seiten Zeilen Zeichen Wörter Downloads Follower Mitglieder Studierende "
    "Schüler Patienten Betten Wohnungen Einheiten Artikel Bestellungen Anfragen Tickets Datensätze Zugriffe "
    "Klicks Aufrufe Views Likes Fans Zuschauer Fahrzeuge Autos Anrufe Mails Stimmen Unterschriften Kalorien "
    "Bytes Dateien Zeilen Filialen Standorte Mio Millionen Milliarden Tsd Prozent Grad Watt Volt Ampere "
    "Pixel Hektar Quadratmeter Kubikmeter Meilen Schritte Runden Versuche Bäume Exponate Bücher Titel "
    "Mal Km KM Std Min Sek Jahr Tonnen"
)
_NOT_CITY = frozenset(_NOT_CITY_WORDS.split())
_ADDRESS_CONTEXT = re.compile(
    any_case(
        (
            "adresse", "anschrift", "wohn", "straße", "str.", "lieferung an", "liefer", "rechnungsadresse", "post",
            "plz", "ort:", "umzug", "umgezogen", "zugestellt", "zustell", "sitz", "domizil", "erreichbar unter",
            "besuchen sie", "meldeadresse", "hausnummer",
        )
    )
)
# A form field for the postcode: what follows is a postcode and place, whatever its digits look like.
_POSTCODE_LABEL = re.compile(rf"{any_case(['PLZ', 'Postleitzahl', 'Ort', 'Wohnort'])}(?i:[^:\n]{{0,8}}:[ \t]*$)")
_POSTCODE_LENGTHS = (4, 5)
_LONGEST_COUNTRY = len("CH-")
_POSTCODE_FOLLOWS = re.compile(r"\s*(?:,\s*|\n\s*|\s+)(?:(?:D|A|CH|DE|AT)-)?\d{4,5} [A-ZÄÖÜ]")


class AddressRecognizer:
    """Finds street + house number and postcode + city spans."""

    types = frozenset({"ADDRESS"})

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield street and postcode/city spans in ``text``: every one holds a run of digits (a house
        number or a postcode)."""
        numbers = facts.digit_runs
        if not numbers:
            return
        streets = list(self._streets(text, facts.digit_starts, facts.places(START_WORDS)))
        yield from streets
        street_ends = [street.end for street in streets]
        yield from self._postcodes(text, _postcode_windows(text, numbers), street_ends)

    def _streets(
        self, text: str, number_starts: list[int], places: dict[Hashable, list[int]]
    ) -> Iterator[Entity]:
        strong, weak = street_windows(text, number_starts, places.get(OF_FORM, ()))
        for match in finditer_windows(STRONG_STREET, text, strong):
            if not is_everyday_compound(match.group("street")):
                yield Entity("ADDRESS", match.start(), match.end(), 0.9)
        for match in chain(finditer_windows(WEAK_STREET, text, weak), PREFIX_STREET.finditer_at(text, places.get(PREFIX_STREET, ()))):
            if _POSTCODE_FOLLOWS.match(text, match.end()) or preceded_by(
                text, match.start(), _ADDRESS_CONTEXT, window=40
            ):
                yield Entity("ADDRESS", match.start(), match.end(), 0.8)

    def _postcodes(self, text: str, windows: list[Window], street_ends: list[int]) -> Iterator[Entity]:
        for match in finditer_windows(_PLZ_CITY, text, windows):
            city = match.group("city")
            if city.split()[0].rstrip(".") in _NOT_CITY:
                continue
            end = match.end()
            if text[end - 1] == "." and not city.endswith((" a.", " i.", " b.")):
                end -= 1  # a sentence full stop, not an abbreviation
            after_street = any(0 <= match.start() - street_end <= 4 for street_end in street_ends)
            labelled = preceded_by(text, match.start(), _POSTCODE_LABEL, window=20)
            score = _postcode_score(match, after_street or labelled)
            if score > 0:
                yield Entity("ADDRESS", match.start(), end, score)


def _postcode_windows(text: str, numbers: list[tuple[int, int]]) -> list[Window]:
    """Windows of _PLZ_CITY: its postcode is a whole run of four or five digits followed by a space
    and a capital letter, after at most a country prefix such as ``CH-``."""
    return [
        (max(0, start - _LONGEST_COUNTRY), start + 1, len(text))
        for start, end in numbers
        if end - start in _POSTCODE_LENGTHS
        and text[end : end + 1] == " "
        and text[end + 1 : end + 2].isupper()
    ]


def _postcode_score(match: re.Match[str], announced: bool) -> float:
    """Score a postcode + city match: German five-digit codes are distinctive, four digits are not.

    Args:
        match: The postcode + city match.
        announced: A street or a postcode label stands right before it.
    """
    plz, country = match.group("plz"), match.group("country")
    if announced or country:
        return 0.95
    if len(plz) == 5:
        return 0.85 if plz != "00000" else 0.0
    info = postleitzahl.info(plz) if postleitzahl.is_valid(plz) else {}
    location = str(info.get("location", ""))
    city = match.group("city")
    if location and (location.startswith(city.split()[0]) or city.startswith(location.split()[0])):
        return 0.85
    if plz[0] != "0" and city.split()[0] in _SWISS_CITIES:
        return 0.85
    return 0.0


# Swiss towns common enough to trust a bare four-digit code in front of them.
_SWISS_CITIES_WORDS = (
    "Zürich Genf Genève Basel Bern Lausanne Winterthur Luzern St. Gallen Lugano Biel Thun Köniz "
    "Schaffhausen Chur Fribourg Freiburg Neuchâtel Uster Sion Emmen Zug Yverdon Kriens Rapperswil Dübendorf "
    "Montreux Dietikon Frauenfeld Wetzikon Baar Riehen Wädenswil Aarau Allschwil Renens Wil Bülach Olten "
    "Solothurn Baden Reinach Kloten Horgen Grenchen Davos Burgdorf Glarus Herisau Appenzell Sarnen Stans "
    "Altdorf Schwyz Liestal Bellinzona Locarno Delémont Martigny Vevey Nyon Wettingen Opfikon Pully Adliswil "
    "Thalwil Volketswil Regensdorf Langenthal Spiez Interlaken Zermatt Arosa Einsiedeln Küsnacht Meilen"
)
_SWISS_CITIES = frozenset(_SWISS_CITIES_WORDS.split())
