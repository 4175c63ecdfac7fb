"""PERSON: name tokens found through context triggers, a first-name gazetteer and repetition."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator

from gateway.privacy.entities import Entity
from gateway.privacy.recognizers import person_rules as rules
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.lexicon import Lexicon, load_lexicon
from gateway.privacy.recognizers.names import BLOCKED, FirstNames, load_first_names
from gateway.privacy.recognizers.scanning import NotAfter, Windowed
from gateway.privacy.recognizers.start_words import START_WORDS
from gateway.privacy.recognizers.tokens import Tokens

_Trigger = NotAfter | Windowed
# Triggers after which a name follows, with the score of a name found there and whether an unknown
# first token may take a second capitalised token with it (true where a line usually holds just a name).
_TRIGGERS: tuple[tuple[_Trigger, float, bool], ...] = (
    (rules.SALUTATION, 0.95, False),
    (rules.TITLE_TRIGGER, 0.9, False),
    (rules.GREETING, 0.9, False),
    (rules.SIGN_OFF, 0.9, True),
    (rules.INLINE_SIGN_OFF, 0.85, False),
    (rules.LABEL, 0.9, True),
    (rules.NAMING, 0.85, False),
)
# Triggers strong enough that a following word which is no plain German noun is the surname
# ("Herr Mehmet Yılmaz", "Frau Lily Köck").
_STRONG: frozenset[_Trigger] = frozenset({rules.SALUTATION, rules.TITLE_TRIGGER, rules.LABEL})
# Triggers whose matches are found at the places of START_WORDS.
_INDEXED: frozenset[NotAfter] = frozenset({rules.SALUTATION, rules.TITLE_TRIGGER, rules.GREETING, rules.INLINE_SIGN_OFF})
# Suffixes of abstract nouns and departments ("Qualitätsmanagement", "Buchhaltung") that German
# surnames practically never carry, for words the lexicon does not list.
_NOUN_SUFFIX = re.compile(r"(?:ung|heit|keit|schaft|ment|tion|ität|abteilung|team|service|leitung)$")
_MIN_SUFFIX_WORD = 9
_BOUNDARY = re.compile(r"[ \t]*(?:$|[\n,.;:!?()<|/])")
_LINE_END = re.compile(r"[ \t]*(?:$|\n|<|,|\(|\||;|/)")
_MAX_TOKENS = 3


class PersonRecognizer:
    """Finds personal names; titles and salutations stay outside the span."""

    types = frozenset({"PERSON"})

    def __init__(self, first_names: FirstNames | None = None, lexicon: Lexicon | None = None) -> None:
        """Build the recognizer.

        Args:
            first_names: The gazetteer; loaded from gender-guesser's data file when omitted.
            lexicon: German nouns and surnames; loaded from german-nouns when omitted.
        """
        self._lexicon = lexicon if lexicon is not None else load_lexicon()
        self._names = first_names if first_names is not None else load_first_names(self._lexicon.nouns)

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        """Yield every person name in ``text``."""
        found: dict[tuple[int, int], float] = {}
        org = _OrgSuffix(text)  # asked at the same ends by several passes
        places = facts.places(START_WORDS)
        for trigger, score, whole_line in _TRIGGERS:
            for match in _trigger_matches(trigger, text, places):
                span = self._walk(text, match.end(), whole_line, org, trigger)
                if span is not None:
                    _keep(found, span, score)
        for span in self._speakers(text):
            _keep(found, span, 0.85)
        tokens = Tokens(text)  # read by both passes below
        for span, score in self._gazetteer(text, tokens, org):
            _keep(found, span, score)
        for span in self._repetitions(text, tokens, found, org):
            _keep(found, span, 0.8)
        for (start, end), score in found.items():
            yield Entity("PERSON", start, end, score)

    def _walk(
        self, text: str, pos: int, whole_line: bool, org: _OrgSuffix, trigger: _Trigger | None = None
    ) -> tuple[int, int] | None:
        """Read the name tokens starting at ``pos``, after skipping titles and salutations.

        After a salutation a lone noun is a name ("Frau Koch"); after a sign-off it usually is a
        department ("Qualitätsmanagement"), so only there a lone plain noun is dropped.
        """
        pos = _skip_titles(text, pos)
        initial = rules.INITIAL.match(text, pos)
        first = rules.TOKEN.match(text, initial.end() if initial else pos)
        if first is None or not _is_name_word(first.group("name")):
            return None
        start, end = (initial.start() if initial else first.start()), first.end()
        if self._is_first_name(first.group("name")) and first.group("particle") is None:
            end = self._extend(text, end, org)
            if end == first.end():
                end = self._inverted(text, end, org)
        else:
            end = self._inverted(text, end, org)
            if trigger in _STRONG and end == first.end():
                end = self._surname_after(text, end)
        if whole_line and end == first.end():
            end = _rest_of_line(text, end)
        lone = end == first.end() and not initial
        if lone and trigger is rules.SIGN_OFF and self._is_noun(first.group("name")):
            return None
        if _is_organisation(text, start, end, org):
            return None
        return start, end

    def _surname_after(self, text: str, end: int) -> int:
        """After a strong trigger and an unknown first token, a following non-noun is the surname."""
        sep = rules.SEPARATOR.match(text, end)
        nxt = rules.TOKEN.match(text, sep.end()) if sep else None
        if nxt is None or nxt.group("particle") or not _is_name_word(nxt.group("name")):
            return end
        word = nxt.group("name")
        if self._lexicon.is_plain_noun(word) or not _BOUNDARY.match(text, nxt.end()):
            return end
        return nxt.end()

    def _is_noun(self, word: str) -> bool:
        """A lone capitalised word that is an ordinary noun, not a name ("Qualitätsmanagement")."""
        if self._is_first_name(word) or word in self._lexicon.surnames:
            return False
        return self._lexicon.is_plain_noun(word) or (
            len(word) >= _MIN_SUFFIX_WORD and _NOUN_SUFFIX.search(word) is not None
        )

    def _speakers(self, text: str) -> Iterator[tuple[int, int]]:
        """Chat lines start with the speaker's first name and a colon."""
        if ":" not in text:
            return
        for match in rules.CHAT_SPEAKER.finditer(text):
            name = match.group("name")
            if self._is_first_name(name) and not self._lexicon.is_plain_noun(name):
                yield match.start("name"), match.end("name")

    def _extend(self, text: str, end: int, org: _OrgSuffix) -> int:
        """After a first name, take further first names and one surname."""
        for _ in range(_MAX_TOKENS - 1):
            sep = rules.SEPARATOR.match(text, end)
            nxt = rules.TOKEN.match(text, sep.end()) if sep else None
            if nxt is None or not _is_name_word(nxt.group("name")):
                break
            # (tested second: it costs more, and either ends the name)
            if org.at(end):
                break  # "Hartmann Steuerberatung": the next word makes it a firm, not a surname
            end = nxt.end()
            if not self._is_first_name(nxt.group("name")) or nxt.group("particle"):
                break
        return end

    def _inverted(self, text: str, end: int, org: _OrgSuffix) -> int:
        """``Müller, Thomas``: a surname, a comma and a known first name make one span."""
        comma = rules.INVERTED.match(text, end)
        nxt = rules.TOKEN.match(text, comma.end()) if comma else None
        if nxt is not None and nxt.group("particle") is None and self._is_first_name(nxt.group("name")):
            return self._extend(text, nxt.end(), org)
        return end

    def _is_first_name(self, word: str) -> bool:
        known = self._names.known
        if word in known:
            return True
        if "-" not in word:
            return False
        # Double names may contain a part that alone is too ambiguous ("Kai-Uwe", "Wolf-Dietrich").
        parts = word.split("-")
        return (
            len(parts) > 1
            and all(p in known or p in BLOCKED for p in parts)
            and any(p in known for p in parts)
        )

    def _gazetteer(
        self, text: str, tokens: Tokens, org: _OrgSuffix
    ) -> Iterator[tuple[tuple[int, int], float]]:
        """A known first name is a name; with a following capitalised token, that is the surname."""
        local = self._names.local
        double = {word for word in tokens.hyphenated() if self._is_first_name(word)}
        names = self._names.known.intersection(tokens.words) | double
        for start, word_end in tokens.among(names):
            word = text[start:word_end]
            if _after_article(text, start):
                continue
            end = self._extend(text, word_end, org)
            if end > word_end:
                score = 0.85
            elif (before := self._surname_before(text, start)) is not None:
                start, score = before, 0.85
            elif word in local or all(part in local for part in word.split("-")):
                score = 0.7
            else:
                continue
            if not _is_organisation(text, start, end, org):
                yield (start, end), score

    def _surname_before(self, text: str, start: int) -> int | None:
        """``Zielińska, Ewa``: a capitalised word and a comma before a first name is its surname."""
        lookback = max(0, start - 40)
        if not _before(text, lookback, start)[0].endswith(","):
            return None
        match = rules.SURNAME_COMMA.search(text, lookback, start)
        if match is None:
            return None
        word = match.group("name")
        if not _is_name_word(word) or self._is_first_name(word) or self._lexicon.is_plain_noun(word):
            return None
        if word in self._lexicon.places or _after_article(text, match.start()):
            return None
        return match.start()

    def _repetitions(
        self, text: str, tokens: Tokens, found: dict[tuple[int, int], float], org: _OrgSuffix
    ) -> Iterator[tuple[int, int]]:
        """A surname found once with strong evidence is a name wherever else it appears."""
        surnames = {text[start:end].split()[-1] for (start, end), score in found.items() if score >= 0.85}
        surnames = {name for name in surnames if len(name) > 2 and _is_name_word(name)}
        if not surnames:
            return
        for start, end in tokens.among(surnames):
            if not _after_article(text, start) and not _is_organisation(text, start, end, org):
                yield start, end


class _OrgSuffix:
    """Whether ORG_SUFFIX matches at a place of one text, remembered: a name's end is asked about by
    ``_extend`` and again by ``_is_organisation``, and the trigger and gazetteer passes find the same names;
    one match costs 1-2 µs, a lookup a tenth of that."""

    __slots__ = ("_known", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._known: dict[int, bool] = {}

    def at(self, pos: int) -> bool:
        known = self._known.get(pos)
        if known is None:
            known = self._known[pos] = rules.ORG_SUFFIX.match(self._text, pos) is not None
        return known


def _trigger_matches(
    trigger: _Trigger, text: str, places: dict[Hashable, list[int]]
) -> Iterator[re.Match[str]]:
    """The trigger's matches; ``places`` are those of START_WORDS in ``text``."""
    if isinstance(trigger, NotAfter) and trigger in _INDEXED:
        return trigger.finditer_at(text, places.get(trigger, ()))
    return trigger.finditer(text)


def _keep(found: dict[tuple[int, int], float], span: tuple[int, int], score: float) -> None:
    found[span] = max(score, found.get(span, 0.0))


def _skip_titles(text: str, pos: int) -> int:
    while True:
        match = rules.TITLE.match(text, pos) or rules.SALUTATION.match(text, pos)
        if match is None:
            return pos
        pos = match.end()


def _rest_of_line(text: str, end: int) -> int:
    """On a signature or label line, take up to two more capitalised tokens when the line ends there."""
    candidate = end
    for _ in range(_MAX_TOKENS - 1):
        sep = rules.SEPARATOR.match(text, candidate)
        nxt = rules.TOKEN.match(text, sep.end()) if sep else None
        if nxt is None or not _is_name_word(nxt.group("name")):
            break
        candidate = nxt.end()
        if _LINE_END.match(text, candidate):
            return candidate
    return end


def _is_name_word(word: str) -> bool:
    return word not in rules.STOP


def _after_article(text: str, start: int) -> bool:
    lookback = max(0, start - 10)
    kept, blank = _before(text, lookback, start)
    return (
        blank
        and rules.ARTICLE_ENDS.end(kept)
        and rules.ARTICLE_BEFORE.search(text, lookback, start) is not None
    )


def _is_organisation(text: str, start: int, end: int, org: _OrgSuffix) -> bool:
    if org.at(end):
        return True
    lookback = max(0, start - 25)
    kept, blank = _before(text, lookback, start)
    return (
        blank
        and rules.ORG_PREFIX_ENDS.end(kept)
        and rules.ORG_PREFIX.search(text, lookback, start) is not None
    )


def _before(text: str, lookback: int, start: int) -> tuple[str, bool]:
    """``text[lookback:start]`` without trailing blanks, and whether it had any: for a cheap test before
    the patterns that look back from a word and end in blanks and ``$``.

    ``$`` also matches before a line break that ends the searched text, as in ``"der \\nKoch"``.
    """
    before = text[lookback:start].removesuffix("\n")
    kept = before.rstrip(" \t")
    return kept, len(kept) < len(before)
