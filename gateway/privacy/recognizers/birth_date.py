"""DATE_OF_BIRTH: a date, only when the text says it is a birth date."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import holds_any, occurrences, scan

_MONTHS = r"Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
_DATE = (
    rf"(?P<date>(?:0?[1-9]|[12]\d|3[01])\.\s?(?:(?:0?[1-9]|1[0-2])\.\s?(?:19|20)?\d{{2}}|(?:{_MONTHS})\s(?:19|20)\d{{2}})"
    r"|(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])/(?:19|20)\d{2})(?![\d])"
)
_BIRTH = re.compile(
    r"(?:geboren|geb\.|Geburtsdatum|Geb\.-Datum|Geburtstag|Geburtsdat\.|date of birth|DOB|born|"
    r"(?<![\w*])\*)[^\n\d]{0,18}?" + _DATE,
    re.IGNORECASE,
)

# Every keyword of _BIRTH, lower-cased, contains one of these (in "Geburtsdatum", "Geb.-Datum" or
# "date of birth" the prefix before any letter that case-insensitive matching widens, such as i or s).
# A text without any of them cannot match, so the expensive pass is skipped; plain "geb" would not do,
# as everyday words ("abgebucht", "gegeben") contain it.
_KEYS = (b"geboren", b"geb.", b"geburt", b"date of b", b"dob", b"born", b"*")


# Every match starts with one of these, in any case (the start of its keyword before any letter that
# case-insensitive matching widens; none of these letters has a case beyond Latin-1).
_STARTS = (b"geb", b"date of b", b"dob", b"born", b"*")


def candidate_starts(facts: TextFacts) -> list[int]:
    """Where a match may start: where a keyword starts, found in the Latin-1 text in lower case."""
    return sorted(occurrences(facts.lowered_latin1, *_STARTS))


class BirthDateRecognizer:
    """Finds dates announced as birth dates ("geboren am", "geb.", "Geburtsdatum:", "*")."""

    types = frozenset({"DATE_OF_BIRTH"})

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every birth date in ``text``."""
        # the keys have none of the letters that characters beyond Latin-1 lower to (see TextFacts)
        if not holds_any(facts.lowered_latin1, _KEYS):
            return
        for match in scan(_BIRTH, text, candidate_starts(facts)):
            yield Entity("DATE_OF_BIRTH", match.start("date"), match.end("date"), 0.95)
