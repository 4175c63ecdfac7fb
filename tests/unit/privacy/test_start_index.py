"""One pass for the starts of several triggers finds every place where one of them can match."""

from __future__ import annotations

import copy

import pytest

from gateway.privacy.recognizers import person_rules as rules
from gateway.privacy.recognizers import streets
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import Endings, NotAfter, StartIndex, finditer_windows
from gateway.privacy.recognizers.start_words import OF_FORM, START_WORDS
from tests.unit.privacy.test_prefilters import corpus

# Starts that overlap ("Vielen Danke"), share a first letter ("Hallöchen", "Hallo", "Herr") or are
# rejected by the lookbehind ("XFrau") before a match right after them.
_CRAFTED = (
    "Vielen Danke Frau Koch, Hallöchen Herr Ali-Berg\nMfG\nJan",
    "XFrau Koch -Herr Bo Fr. Dr. Prof. Dr. Lang, Sehr geehrter Herr Dr. Weiß,\nLG Tom VG, Cheers Amy",
    "Grüß Gott Herr Maier, Grüezi Frau Frei, Grüss dich Anna, Gruss Ben, Guten Tag Fam. Lee, Ms. Roe",
    "Straße des 17. Juni 5, Platz der Einheit 1, Ring am Hang 3a, Unter den Linden-Allee 5\nAm Weiher\t7",
    "Allee an der Alten Elbe 12 (In der Au 4) Hinter dem Alten Markt 2-4, Überm Berg 1/2/3, XAm Bach 9",
)


def _spans(matches):
    return [match.span() for match in matches]


def _plain(scanner: NotAfter) -> NotAfter:
    """The same pattern without its starts: it searches the whole text (as its lookbehind pattern would)."""
    plain = copy.copy(scanner)
    plain._starts = ()
    return plain


@pytest.mark.parametrize(
    "trigger",
    [rules.SALUTATION, rules.TITLE_TRIGGER, rules.GREETING, rules.INLINE_SIGN_OFF, streets.PREFIX_STREET],
    ids=["salutation", "title", "greeting", "inline-sign-off", "prefix-street"],
)
def test_indexed_patterns_find_the_matches_of_their_own_search(trigger: NotAfter) -> None:
    plain = _plain(trigger)
    found = 0
    for text in (*corpus(), *_CRAFTED):
        expected = _spans(plain.finditer(text))
        assert _spans(trigger.finditer_at(text, START_WORDS.places(text).get(trigger, ()))) == expected, text
        found += len(expected)
    assert found > 0


@pytest.mark.parametrize("pattern", [streets.STRONG_STREET, streets.WEAK_STREET], ids=["strong", "weak"])
def test_streets_are_found_in_their_windows(pattern) -> None:
    found = 0
    for text in (*corpus(), *_CRAFTED):
        facts = TextFacts(text)
        strong, weak = streets.street_windows(text, facts.digit_starts, facts.places(START_WORDS).get(OF_FORM, ()))
        windows = strong if pattern is streets.STRONG_STREET else weak
        expected = _spans(pattern.finditer(text))
        assert _spans(finditer_windows(pattern, text, windows)) == expected, text
        found += len(expected)
    assert found > 0


def test_start_index_finds_overlapping_occurrences_in_order() -> None:
    assert StartIndex({"k": ("aba", "bab")}).places("ababa ab") == {"k": [0, 1, 2]}


def test_start_index_gives_each_place_to_the_groups_with_its_first_two_characters() -> None:
    index = StartIndex({"x": ("Herr",), "y": ("Hallo",), "z": ("Heute", "Hi")})
    assert index.places("Herr Hallo Heute Hex") == {"x": [0, 11], "y": [5], "z": [0, 11]}


def test_start_index_refuses_strings_shorter_than_two_characters() -> None:
    with pytest.raises(ValueError, match="two characters"):
        StartIndex({"k": ("ab", "a")})


@pytest.mark.parametrize(
    ("endings", "grouped"),
    [
        (streets.STRONG_SUFFIXES, streets.STRONG_ENDINGS),
        (streets.WEAK_SUFFIXES, streets.WEAK_ENDINGS),
        (rules.ORG_PREFIX_ENDINGS, rules.ORG_PREFIX_ENDS),
        (rules.ARTICLE_ENDINGS, rules.ARTICLE_ENDS),
    ],
    ids=["strong", "weak", "org-prefix", "article"],
)
def test_grouped_endings_end_the_words_the_plain_tuple_ends(endings, grouped) -> None:
    words = {"", "e", "au", "xau", "straß", "ſtraße", "Firma &", *endings, *(f"Haupt{ending}" for ending in endings)}
    words |= {word[cut:] for text in corpus()[:3000] for word in text.split() for cut in (0, 1, -3)}
    words |= {word.lower() for word in words}
    ends = [word for word in words if word.endswith(endings)]
    assert [word for word in words if grouped.end(word)] == ends
    assert len(ends) > len(endings)


def test_the_empty_ending_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        Endings(("au", ""))


def test_street_windows_skip_only_numbers_after_characters_no_suffix_can_end_in() -> None:
    lasts = {suffix[-1] for suffix in (*streets.STRONG_SUFFIXES, *streets.WEAK_SUFFIXES)}
    # str.lower of one character (Σ alone aside, whose final form is no suffix letter either)
    ending = frozenset(char for char in map(chr, range(0x110000)) if char.lower()[-1:] in lasts)
    assert ending == streets.SUFFIX_LAST_CHARS
