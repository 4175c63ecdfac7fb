"""Street + house number patterns for the ADDRESS recognizer."""

from __future__ import annotations

import re
from collections.abc import Iterable

from gateway.privacy.recognizers.scanning import Endings, NotAfter, Window

_UPPER = "A-ZÄÖÜ"
_WORD = r"[\wäöüß]"
# Suffixes that make a word a street on their own ("Hauptstraße", "Lindenweg", "Karl-Marx-Allee").
_STRONG_WORDS = (
    "straße strasse str. weg allee platz gasse ring damm ufer chaussee steig pfad markt graben "
    "wall zeile kai promenade stieg twiete gässli gässle stiege gassl"
)
STRONG_SUFFIXES = tuple(_STRONG_WORDS.split())
_STRONG = "|".join(map(re.escape, STRONG_SUFFIXES))
# Suffixes that also end ordinary words and place names ("Heidelberg", "Bahnhof"): a street only
# when an address follows or is announced.
_WEAK_WORDS = (
    "berg feld dorf au tor park garten grund kamp winkel hang höhe anger bogen hof acker wiese rain "
    "siedlung brücke hain heide stein blick horst busch moor strase straße"
)
WEAK_SUFFIXES = tuple(_WEAK_WORDS.split())
_WEAK = "|".join(map(re.escape, WEAK_SUFFIXES))
# A number with an optional letter, then up to three more parts: ranges ("10-12") and the Austrian
# staircase/door parts ("21/2/14", "164-166/2/9"). Only spaces and tabs inside: a line break ends it.
_LETTER = r"(?:[ \t]?[a-zA-Z](?![\wäöüß]))?"
_HOUSE_NUMBER = (
    rf"(?P<number>[1-9]\d{{0,3}}{_LETTER}(?:[ \t]?[-/–][ \t]?\d{{1,4}}{_LETTER}){{0,3}})"
    r"(?![\d]|[.,]\d|\s?(?:%|€|Euro|EUR|CHF|Uhr|km|kg|Jahre|Stück|Prozent|Mio|Tage|Monate|Minuten|x\b))"
)
_COMPOUND_HEAD = rf"(?:[{_UPPER}][\wäöüß.']*-)*(?:[\wäöüß]+-)*"
_JOINED = rf"{_COMPOUND_HEAD}[{_UPPER}]{_WORD}*?(?:{_STRONG})"
_HYPHENATED = (
    rf"(?:[{_UPPER}][\wäöüß.']*-)+(?:[\wäöüß]+-)*"
    r"(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Chaussee|Steig|Pfad|Markt|Promenade|Kai|Zeile)"
)
_JOINED_WEAK = rf"{_COMPOUND_HEAD}[{_UPPER}]{_WORD}*?(?:{_WEAK})"
_SEPARATE_WORD = (
    r"(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Chaussee|Steig|Markt|Landstraße|Kai)"
)
_ADJECTIVE = (
    rf"(?:[{_UPPER}]{_WORD}+er|Alte|Neue|Hohe|Lange|Breite|Kurze|Obere|Untere|Große|Kleine|Schöne|Grüne|"
    rf"Alter|Neuer|Hoher|Langer|Breiter|Oberer|Unterer|Großer|Kleiner)"
)
# "Straße des 17. Juni": the only strong form without a suffix right before the house number.
OF_FORM_HEADS = ("Straße ", "Platz ", "Allee ", "Ufer ", "Ring ")
_OF_FORM = (
    rf"(?:Straße|Platz|Allee|Ufer|Ring) (?:der|des|am|an der|zum|zur|vom) (?:\d{{1,2}}\. )?[{_UPPER}]{_WORD}+"
)
_PREFIX_WORDS = (
    "Am", "An der", "An den", "An dem", "Auf der", "Auf dem", "Auf den", "Im", "In der", "In den", "Zum", "Zur",
    "Unter den", "Hinter der", "Hinter dem", "Vor dem", "Bei der", "Alt", "Alte", "Hinterm", "Vorm", "Ob der",
    "Unterm", "Überm",
)
_PREFIX = f"(?:{'|'.join(map(re.escape, _PREFIX_WORDS))})"
_NOT_AFTER_PREFIX = (
    r"(?:Jahr|Jahre|Tag|Monat|Moment|Ende|Anfang|Morgen|Abend|Wochenende|Beispiel|Raum|Kapitel|Abschnitt|"
    r"Punkt|Schritt|Rahmen|Vergleich|Durchschnitt|Namen|Auftrag|Januar|Februar|März|April|Mai|Juni|Juli|"
    r"August|September|Oktober|November|Dezember|Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|"
    r"Sonntag|Team|Haus|Gebäude|Büro|Zimmer|Stock|Level|Quartal|Gegensatz|Prinzip|Allgemeinen|Schnitt)\b"
)
# Everyday compounds that end in a street suffix: "Parkplatz 12" is a parking space, not an address.
# Everyday compounds that end in a street suffix: "Parkplatz 12" is a parking space, not an address.
# Long first parts may stand inside a longer word ("Kundenparkplatz"); short ones only at its start,
# or "Krausring" would read as "aus" + "ring".
_NOT_STREET = re.compile(
    r"(?:(?:park|stell|sitz|arbeits|abstell|liege|steh|lager|spiel|camping|bahn|flug|lebens|werde|"
    r"ausbildungs|bildungs|lösungs|markt|super|bauern|wochen|weih|jahr|floh|kunst|finanz|aktien|dienst|"
    r"geschäfts|umweg|weiter|mittel|schul|rechts|verwaltungs|schreib|tisch|lauf|start|ziel|kampf|sport|"
    r"handels|stand|wohn|lehr)|^(?:rück|hin|heim|fuß|fahr|aus|ein|ab|zu|irr|holz))"
    r"(?:platz|weg|steig|markt|ring|graben|pfad)$",
    re.IGNORECASE,
)

STRONG_STREET = re.compile(
    rf"(?<![\wäöüß-])(?P<street>{_HYPHENATED}|{_JOINED}|{_ADJECTIVE} {_SEPARATE_WORD}|{_OF_FORM})\s?{_HOUSE_NUMBER}"
)
WEAK_STREET = re.compile(rf"(?<![\wäöüß-])(?P<street>{_JOINED_WEAK})\s?{_HOUSE_NUMBER}")
PREFIX_STREET = NotAfter(
    rf"(?P<street>{_PREFIX} (?!{_NOT_AFTER_PREFIX})[{_UPPER}]{_WORD}+(?:[- ][{_UPPER}]{_WORD}+)?)"
    rf"\s{_HOUSE_NUMBER}",
    r"[\wäöüß-]",
    starts=_PREFIX_WORDS,
)
_LONGEST_SUFFIX = max(map(len, STRONG_SUFFIXES + WEAK_SUFFIXES))
_HOUSE_NUMBER_FIRST = "123456789"
# Every character whose lower case ends in the last letter of a street suffix ("\u212a" is the Kelvin sign):
# no other word's lower case can end in a suffix (test_start_index.py checks it over every code point).
SUFFIX_LAST_CHARS = frozenset(".DEFGHIKLMNPRTUZdefghiklmnprtuz\u212a")


# endswith() with a tuple compares every suffix in turn: these compare the few with the word's last letter.
STRONG_ENDINGS = Endings(STRONG_SUFFIXES)
WEAK_ENDINGS = Endings(WEAK_SUFFIXES)


def is_everyday_compound(street: str) -> bool:
    """Tell whether a suffix match is an ordinary word such as ``Parkplatz`` rather than a street."""
    return _NOT_STREET.search(street) is not None and "-" not in street and " " not in street


def street_windows(
    text: str, number_starts: Iterable[int], places: Iterable[int]
) -> tuple[list[Window], list[Window]]:
    """Windows (see :func:`~gateway.privacy.recognizers.scanning.finditer_windows`) of STRONG_STREET and
    WEAK_STREET in ``text``, given where its runs of digits start and ``places`` that include every place
    where one of OF_FORM_HEADS occurs.

    Their matches end in a street suffix, at most one whitespace character and a house number; the
    street before holds at most one space (weak ones none), so it starts after the second (first)
    space before the suffix. The "Straße des 17. Juni" form starts with its head word instead.
    """
    strong: list[Window] = []
    weak: list[Window] = []
    for start in number_starts:
        if text[start] not in _HOUSE_NUMBER_FIRST:
            continue
        end = start - 1 if start > 0 and text[start - 1].isspace() else start
        if end == 0 or text[end - 1] not in SUFFIX_LAST_CHARS:
            continue  # cheaper than the slice and its lower case
        word_end = text[max(0, end - _LONGEST_SUFFIX) : end].lower()
        if STRONG_ENDINGS.end(word_end):
            strong.append((_after_spaces(text, end, 2), start, len(text)))
        if WEAK_ENDINGS.end(word_end):
            weak.append((_after_spaces(text, end, 1), start, len(text)))
    strong.extend((at, at + 1, len(text)) for at in places if text.startswith(OF_FORM_HEADS, at))
    return strong, weak


def _after_spaces(text: str, end: int, count: int) -> int:
    """The offset after the ``count``-th space before ``end`` (0 when there are fewer)."""
    pos = end
    for _ in range(count):
        pos = text.rfind(" ", 0, pos)
        if pos < 0:
            return 0
    return pos + 1
