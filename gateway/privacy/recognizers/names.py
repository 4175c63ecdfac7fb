"""First-name gazetteer from Jörg Michael's ``nam_dict.txt`` (as shipped by the gender-guesser package).

The list is read as data only: the first names with their frequency per country. It is independent of
Faker's name lists, which the benchmark generates its texts from.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Country columns of nam_dict.txt (see the file header); 12-14 are Germany, Austria, Switzerland.
_GERMAN_SPEAKING = (12, 13, 14)
# Countries many residents of Germany, Austria and Switzerland come from: Italy, Portugal, Spain,
# France, the Netherlands, Poland, Czechia, Slovakia, Hungary, Romania, Bulgaria, the former
# Yugoslavia, Albania, Greece, Russia, Ukraine, Turkey, Arabia/Persia, Vietnam. A name common there
# (level 4+, about 1 in 2,000) is a local name too.
_ORIGIN = (3, 5, 6, 7, 10, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 41, 46, 47, 53)
_ORIGIN_LEVEL = 4
_ALL_COUNTRIES = range(55)
_MIN_FOREIGN_LENGTH = 3
_COLUMN_OFFSET = 30
# Letters that Unicode does not decompose but people drop on German keyboards ("Stanisław" -> "Stanislaw").
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i", "ß": "ss"})

# Names that are also German function words, adjectives or common nouns. They never count as a first
# name on their own evidence ("Bitte", "Will", "Rose"); a salutation or label can still mark them.
_BLOCKED_WORDS = """Aale Aalt Ab Ad Ade Adel Agil Alber Alle Allegro Allen Alpha Alter Am An Andere Anders Anno Ans Anti
    Antun Armen Bang Bebe Bei Beste Bin Bitte Bitten Bog Branden Brecht Brennen Chi Da Darin Dato Davon Davor
    De DeRen Des Dick Dorren Drin Du Ecke Edel Edle Eilen Eilt Eine Einer Einte Eitel EnDe Er Erden Erdet
    Ergo Fair Feige Fern Ferne Fidel Folgert Foppe Fügen Gab Galt Gar Gen Gerben Geriet Gottlob Halbe Halle
    Harke Hasse Hat Hau Hege Helle Hellen Hemme Herb Hie Hinke Hisse Hoc Ideal Im In Inne Ja Je Jene Jobbe
    Jung Jure Just Kam Kamen Kick Kipp Klare Kläre Krassen Landen Lang Lau Lenke Lies Lind Linde Loyal Mal
    Malen Man Manuelle Matt Mein Meine Meint Meinte Mies Min Mindert Mir Nasser Neige Nette Noble Nur Oh Okay
    Oral Pelle Per Perle Phi Prima Ran Rares Rasa Red Reg Rein Reine Renne Riet Roch Rotem Royal Sage Sang
    Schelte Sei Seid Seit Sie Siebe Sinne So Solange Spring Stach Starr Stieg Sture Tage Tat Titel Tobe Tu
    Tue Ultima Vice Vital Vitale Wander Ward Weine Wen Werter Wies Will Winke Wisse Wo Xi Ende Sommer Winter
    Herbst Mai Juni Juli August Engel Stern Golf Santa Mercedes Fee Flora Gloria Iris Marine Anemone Malve
    Helm Lenz Horst Roman Kai Birke Heide Rose Wolf Mark Sonne Mond Blume Liebe Glaube Hoffnung Treue Ehre
    Friede Frieden Himmel Christ Kirche Gott Bach Berg Busch Dorf Feld Hahn Fuchs Vogel Adler Bär Löwe Hase
    Kind Kunde Kundin Herr Frau Dame Team Service Support Info Office Hallo Danke Gruß Grüße Liebe Lieber
    Sehr Guten Tag Morgen Abend Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag Januar Februar
    März April September Oktober November Dezember Ostern Pfingsten Weihnachten Europa Deutschland Berlin
    Wien Paris London Rom Bern Basel Zug Linz Chur Baden Essen Hof Mainz Trier Jena Gera Ulm Celle Siegen
    Weiden Marburg Passau Fulda Dresden Erfurt Neben Nach Vor Hinter Unter Über Zwischen Neu Alt Groß Klein
    Gut Schön Weiß Schwarz Braun Roth Grün Blau Lange Kurz Hart Weich Frank Ernst Grace Hope Faith Joy
    Patience Summer Autumn June April Dawn Sky River Rain Storm Honey Candy Sugar Cherry Brandy Crystal
    Diamond Ruby Pearl Jade Amber Coral Ivory Olive Hazel Daisy Lily Violet Poppy Holly Ivy Heather Ebony
    Dakota Sierra Chance King Prince Duke Earl Major Marshal General Bishop Pope Bill Don Art
    Rich Sterling Mark Wade Wes Cash Gay Van Von Le La El Di Da Del Della Dos Bon Can Car Cor Post
    Tor Ring Platz Weg Straße Gasse Allee Markt Damm Ufer Kai Park Garten Ost West Nord Süd Mitte Brunnen
    Quelle Insel Hafen Stadt Land Wald Wiese See Meer Fluss Strand Kunst Musik Tanz Spiel Sport Glück"""
BLOCKED = frozenset(_BLOCKED_WORDS.split())


# Spellings that became common in German-speaking countries after the list was compiled (2007).
_RECENT_WORDS = """Fynn Finn Ben Mia Emilia Leni Lio Mats Matteo Malia Ella Mila Lina Ida Mira Nele Jonte Henri Bent
    Fiete Keno Janne Liv Levi Luan Elif Yusuf Emir Aylin Zoe Jamie Neele Ole Tjark Hanno Nika Fabio Enes
    Jannik Janik Yannik Yannick Dominic Kevin Justin Jennifer Jessica Mandy Cindy Chantal Marcel Dennis
    Tobias Julian Luca Luka Noah Elias Emil Anton Theo Henry Leonie Lea Leah Hanna Hannah Sophia Marlene"""
_RECENT = frozenset(_RECENT_WORDS.split())


@dataclass(frozen=True, slots=True)
class FirstNames:
    """First names known well enough to be evidence of a person.

    Attributes:
        local: Names used in Germany, Austria or Switzerland: enough evidence on their own.
        known: Names used anywhere in Europe: evidence when a capitalised surname follows.
    """

    local: frozenset[str]
    known: frozenset[str]


def load_first_names(nouns: Iterable[str] = ()) -> FirstNames:
    """Read the gazetteer from the installed gender-guesser package's data file.

    Args:
        nouns: German common nouns; a name common only abroad that is also a German noun ("Tal",
            "Bar") is not taken as a local name.

    Raises:
        ModuleNotFoundError: gender-guesser is not installed.
    """
    local: set[str] = set()
    known: set[str] = set()
    common_nouns = frozenset(nouns)
    with _data_file().open(encoding="utf-8") as lines:
        for line in lines:
            if line[0] in "#=" or len(line) <= _COLUMN_OFFSET:
                continue
            columns = line[_COLUMN_OFFSET:-1]
            name = line.split()[1]
            variants = _variants(name)
            common_abroad = (
                _level(columns, _ORIGIN) >= _ORIGIN_LEVEL
                and len(name) >= _MIN_FOREIGN_LENGTH
                and name not in common_nouns
            )
            if _level(columns, _GERMAN_SPEAKING) >= 1 or common_abroad:
                local.update(variants)
            if _level(columns, _ALL_COUNTRIES) >= 1 and len(name) >= _MIN_FOREIGN_LENGTH - 1:
                known.update(variants)
    local.update(_RECENT)
    local, known = _with_folded(local), _with_folded(known)
    return FirstNames(local=frozenset(local - BLOCKED), known=frozenset((known | local) - BLOCKED))


def _with_folded(names: set[str]) -> set[str]:
    """Add the spelling without diacritics ("João" -> "Joao"), as names are often typed that way."""
    folded = set()
    for name in names:
        plain = unicodedata.normalize("NFKD", name.translate(_FOLD))
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
        if plain != name and plain.isalpha():
            folded.add(plain)
    return names | folded


def _data_file() -> Path:
    spec = importlib.util.find_spec("gender_guesser")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("gender-guesser is needed for the first-name gazetteer")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "nam_dict.txt"


def _variants(name: str) -> set[str]:
    """``Hans+Peter`` in the file stands for "HansPeter", "Hans Peter" and "Hans-Peter"."""
    if "+" not in name:
        return {name}
    return {name.replace("+", joint) for joint in ("", " ", "-")}


def _level(columns: str, indexes: range | tuple[int, ...]) -> int:
    """The highest frequency level (hex digit 1-D, space for none) among the given countries."""
    best = 0
    for index in indexes:
        if index < len(columns) and columns[index] != " ":
            best = max(best, int(columns[index], 16))
    return best
