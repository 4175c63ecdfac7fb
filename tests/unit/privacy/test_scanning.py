"""Scanners: the same matches as ``re.finditer`` over the whole text, found with less work."""

from __future__ import annotations

import re

import pytest

from gateway.privacy.recognizers.person_rules import LABEL, SALUTATION, SIGN_OFF
from gateway.privacy.recognizers.scanning import NotAfter, finditer_windows, words_back


def _spans(matches):
    return [m.span() for m in matches]


@pytest.mark.parametrize(
    ("body", "not_after", "text"),
    [
        (r"(?:Herrn?|Frau|Fr\.)[ \t]+", r"[\w-]", "Frau Koch, XFrau Y, -Herr Z, Herrn  A\nFr. B"),
        (r"(?:aab|ab)", r"x", "xaab ab aab"),  # a rejected match must not hide a valid one inside it
        (r"\d{3}", r"[\d.,-]", "123 4567 -890 1.234 ,567 89"),
    ],
)
def test_not_after_finds_the_matches_of_the_lookbehind_pattern(body, not_after, text):
    expected = _spans(re.finditer(f"(?<!{not_after}){body}", text))
    assert _spans(NotAfter(body, not_after).finditer(text)) == expected


def test_not_after_resumes_one_character_after_a_rejected_match():
    assert [m.group() for m in NotAfter(r"(?:aab|ab)", r"x").finditer("xaab")] == ["ab"]


def test_not_after_match_applies_the_lookbehind():
    assert SALUTATION.match("Frau Koch", 0) is not None
    assert SALUTATION.match("XFrau Koch", 1) is None


_NUMBERED = re.compile(r"[A-Z][a-z]* ?\d+")


def _number_windows(text, back):
    """Every match of _NUMBERED holds a digit run and starts at most ``back`` characters before it."""
    return [(max(0, m.start() - back), m.start(), len(text)) for m in re.finditer(r"\d+", text)]


@pytest.mark.parametrize("text", ["", "no numbers", "Haus 5 und Tor 12, Hof3 x 7", "12 Ab 3 Cd 45 e 6"])
def test_windowed_search_finds_the_matches_of_finditer(text):
    found = finditer_windows(_NUMBERED, text, _number_windows(text, 30))
    assert _spans(found) == _spans(_NUMBERED.finditer(text))


def test_windowed_search_lets_a_later_window_reach_back_further():
    text = "Hof 1 Langerweg 22"
    windows = [(4, 4, len(text)), (0, 16, len(text))]  # "Hof 1" holds only the second window
    assert _spans(finditer_windows(_NUMBERED, text, windows)) == [(0, 5), (6, 18)]


def test_windowed_search_ends_each_search_at_its_stop():
    text = "Tel: 1 Name: 2"
    windows = [(0, 3, 5), (7, 11, 13)]
    assert [m.group() for m in finditer_windows(re.compile(r"\w+: ?\d*"), text, windows)] == [
        "Tel: ",
        "Name: ",
    ]


def test_windowed_search_without_windows_finds_nothing():
    assert list(finditer_windows(_NUMBERED, "Haus 5", [])) == []


@pytest.mark.parametrize(
    ("pos", "count", "word_start"),
    [(18, 1, 14), (16, 1, 14), (18, 2, 9), (8, 1, 5)],
)
def test_words_back_reaches_the_start_of_the_counted_word(pos, count, word_start):
    found = words_back("Herr Max\nxy \t Name:", pos, count)
    assert found <= word_start and "Herr Max\nxy \t Name:"[found:word_start].strip() == ""


@pytest.mark.parametrize(("pos", "count"), [(18, 5), (8, 2)])
def test_words_back_stops_at_the_line_start(pos, count):
    assert words_back("Herr Max\nxy \t Name:", pos, count) == (9 if pos > 8 else 0)


_LINES = (
    "Betreff: Rechnung\nName: Max Muster\nKontaktperson vor Ort:\nIda Berg\nx=1, Name=Tom\n"
    "Vor- und Nachname lt. Bestellung: Eva Ott\nAn  \t : Udo\n"
    "Mit freundlichen Grüßen aus Berlin!\n  \n  Jan\nDanke und Gruß\n\n\nOle\nIhre\nAnna\nxxLG\nTim\nLG Tom"
)


@pytest.mark.parametrize("pattern", [LABEL, SIGN_OFF])
def test_label_and_sign_off_find_the_matches_of_finditer(pattern):
    expected = _spans(pattern.pattern.finditer(_LINES))
    assert _spans(pattern.finditer(_LINES)) == expected
    assert len(expected) >= 4  # the text holds several, so the comparison means something
