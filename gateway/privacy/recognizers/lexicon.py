"""German noun lexicon from the ``german-nouns`` package (Wiktionary DE, read as data).

German capitalises every noun, so the PERSON recognizer needs to know which capitalised words are
ordinary nouns ("Qualitätsmanagement", "Tal"), which are also surnames ("Koch", "Kaiser": Wiktionary
tags them ``Nachname``) and which are place names (``Toponym``). The list is independent of Faker's
name lists, which the benchmark generates its texts from.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from pathlib import Path

_SURNAME_TAG = "Nachname"
_FIRST_NAME_TAG = "Vorname"
_PLACE_TAG = "Toponym"
_NAME_TAGS = frozenset({_SURNAME_TAG, _FIRST_NAME_TAG, _PLACE_TAG, "Eigenname", "Straßenname"})


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Capitalised words with what Wiktionary knows about them.

    Attributes:
        nouns: Common nouns (a word that is also a name is listed here too when it is a noun as well).
        surnames: Words tagged as a surname.
        places: Words tagged as a place name.
    """

    nouns: frozenset[str]
    surnames: frozenset[str]
    places: frozenset[str]

    def is_plain_noun(self, word: str) -> bool:
        """A common noun that is not also a known surname: weak evidence of a name at best."""
        return word in self.nouns and word not in self.surnames


EMPTY_LEXICON = Lexicon(frozenset(), frozenset(), frozenset())


def load_lexicon() -> Lexicon:
    """Read the lexicon from the installed german-nouns package's CSV file (about half a second).

    Raises:
        ModuleNotFoundError: german-nouns is not installed.
    """
    nouns: set[str] = set()
    surnames: set[str] = set()
    places: set[str] = set()
    with _data_file().open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        for row in rows:
            if len(row) < 2 or not row[0][:1].isupper():
                continue
            word, tags = row[0], set(row[1].split(","))
            if _SURNAME_TAG in tags:
                surnames.add(word)
            if _PLACE_TAG in tags:
                places.add(word)
            if "Substantiv" in tags and not tags & _NAME_TAGS:
                nouns.add(word)
    return Lexicon(frozenset(nouns), frozenset(surnames), frozenset(places))


def _data_file() -> Path:
    spec = importlib.util.find_spec("german_nouns")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("german-nouns is needed for the noun lexicon")
    return Path(next(iter(spec.submodule_search_locations))) / "nouns.csv"
