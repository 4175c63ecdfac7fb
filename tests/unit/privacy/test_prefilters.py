"""Cheap tests and anchored scans never lose a match: with and without them, the same matches on every
text of the PII benchmark datasets, the latency benchmark and random number-shaped strings."""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Iterable
from functools import cache

import pytest

from bench.pii.dataset import GENERATED_PATH, HANDWRITTEN_PATH, load_jsonl
from bench.pii_latency import make_texts
from gateway.privacy.recognizers import (
    birth_date,
    credit_card,
    email,
    iban,
    kfz,
    phone,
    steuer_id,
    svnr,
    vat_id,
)
from gateway.privacy.recognizers import person_rules as rules
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.recognizers.scanning import NotAfter, Windowed, finditer_near, matches_at
from gateway.privacy.recognizers.tokens import Tokens

_NOISE = "0123456789012345678901 ABCDEHKMWZAB-./+()',:äx\n\t"


def _shaped(rng: random.Random) -> str:
    """A number shaped like a social insurance number, a plate or a phone number, between noise."""
    digits = "".join(rng.choice("0123456789") for _ in range(12))
    date = f"{rng.randint(1, 31):02d}{rng.randint(1, 12):02d}{digits[:2]}"
    space = rng.choice(["", " "])
    code, separator, letters = rng.choice(["M", "HH", "W", "ZH", "GU"]), rng.choice(" -"), rng.choice(["AB", "X", ""])
    shapes = [
        f"{digits[2:4]}{space}{date}{space}{rng.choice('ABMZ')}{space}{digits[4:7]}",
        f"{digits[2:6]}{space}{date}",
        f"{code}{separator}{letters}{space}{digits[3 : rng.randint(4, 9)]}{rng.choice(['', 'E', ' A'])}",
        f"{rng.choice(['+49 ', '(0', '0', '00'])}{digits[:3]}{rng.choice([') ', '/', ' '])}{digits[3:11]}",
    ]
    noise = "".join(rng.choice(_NOISE) for _ in range(rng.randrange(8)))
    return noise + rng.choice(shapes) + noise[::-1]


@cache
def corpus() -> tuple[str, ...]:
    texts = [record["text"] for path in (GENERATED_PATH, HANDWRITTEN_PATH) for record in load_jsonl(path)]
    rng = random.Random(3)
    noise = ["".join(rng.choice(_NOISE) for _ in range(rng.randrange(60))) for _ in range(3000)]
    shaped = ["".join(_shaped(rng) for _ in range(rng.randrange(1, 4))) for _ in range(3000)]
    return (*texts, *make_texts(200), *noise, *shaped)


def _spans(matches: Iterable[re.Match[str]]) -> list[tuple[int, int]]:
    return [match.span() for match in matches]


def _assert_same_matches(
    expected: Callable[[str], Iterable[re.Match[str]]], actual: Callable[[str], Iterable[re.Match[str]]]
) -> None:
    found = 0
    for text in corpus():
        spans = _spans(expected(text))
        assert _spans(actual(text)) == spans, text
        found += len(spans)
    assert found > 0  # the corpus exercises the pattern


@pytest.mark.parametrize(
    "scanner",
    [
        rules.TITLE_TRIGGER,
        rules.SIGN_OFF,
        rules.INLINE_SIGN_OFF,
        rules.LABEL,
        rules.NAMING,
    ],
)
def test_keys_and_starts_never_skip_a_match(scanner: NotAfter | Windowed) -> None:
    unkeyed = copy.copy(scanner)
    if isinstance(unkeyed, NotAfter):
        unkeyed._starts = ()
    else:
        unkeyed._keys = ()
    _assert_same_matches(unkeyed.finditer, scanner.finditer)


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        (svnr._GERMAN, svnr.german_starts),
        (svnr._AUSTRIAN, svnr.austrian_starts),
        (steuer_id._CANDIDATE, lambda facts: facts.digit_starts),
    ],
    ids=["svnr-de", "svnr-at", "steuer-id"],
)
def test_numbers_are_found_at_the_starts_of_digit_runs(
    pattern: re.Pattern[str], starts: Callable[[TextFacts], list[int]]
) -> None:
    _assert_same_matches(pattern.finditer, lambda text: matches_at(pattern.match, text, starts(TextFacts(text))))


def test_card_numbers_are_found_at_runs_that_start_with_an_issuer_prefix() -> None:
    scanner = credit_card._CANDIDATE
    _assert_same_matches(
        scanner.finditer,
        lambda text: matches_at(scanner.match, text, credit_card.candidate_starts(text, TextFacts(text))),
    )


def test_ibans_are_found_two_capitals_before_a_digit_run() -> None:
    _assert_same_matches(
        iban._CANDIDATE.finditer,
        lambda text: matches_at(iban._CANDIDATE.match, text, iban.candidate_starts(TextFacts(text))),
    )


def test_vat_candidates_are_found_at_two_capitals() -> None:
    scanner = vat_id._CANDIDATE
    _assert_same_matches(
        scanner.finditer, lambda text: matches_at(scanner.match, text, TextFacts(text).capital_pairs)
    )


def test_phone_candidates_are_found_at_their_possible_starts() -> None:
    pattern = phone._CANDIDATE
    _assert_same_matches(
        pattern.finditer,
        lambda text: matches_at(pattern.match, text, phone._candidate_starts(text, TextFacts(text))),
    )


@pytest.mark.parametrize("pattern", [kfz._GERMAN, kfz._AUSTRIAN, kfz._SWISS], ids=["de", "at", "ch"])
def test_plates_are_found_in_the_windows_before_digit_runs(pattern: re.Pattern[str]) -> None:
    def near(text: str) -> Iterable[re.Match[str]]:
        facts = TextFacts(text)
        return finditer_near(pattern, text, kfz._windows(text, facts.digit_starts, facts.capitals), kfz._REACH)

    _assert_same_matches(pattern.finditer, near)


def test_plate_windows_are_those_before_each_digit_run_joined_where_they_overlap() -> None:
    found = 0
    for text in corpus():
        facts = TextFacts(text)
        plain = [
            (max(0, start - kfz._BEFORE_NUMBER), start)
            for start in facts.digit_starts
            if text[start] in "123456789" and facts.capitals.find(b"A", max(0, start - kfz._BEFORE_NUMBER), start) >= 0
        ]
        joined: list[tuple[int, int]] = []
        for earliest, position in sorted(plain):
            if joined and earliest <= joined[-1][1]:
                joined[-1] = (joined[-1][0], max(joined[-1][1], position))
            else:
                joined.append((earliest, position))
        assert kfz._windows(text, facts.digit_starts, facts.capitals) == joined, text
        found += len(plain) - len(joined)
    assert found > 0  # some did overlap


@pytest.mark.parametrize(
    "extra", ["", "€ „x“ – …", "Zahl ١٢٣ und ٤", "€" * 20 + "٧", "??" + "–" * 30]
)
def test_digit_runs_are_the_runs_of_any_scripts_digits(extra: str) -> None:
    for text in corpus()[:2000]:
        text = f"{text}{extra}{text[:40]}"
        assert TextFacts(text).digit_runs == [m.span() for m in re.finditer(r"\d+", text)]


@pytest.mark.parametrize(
    "extra", ["", " Łukasz Żółć, İsmail Đorđević – Šárka-Łucja €", " ?Ab A? Öz ?? É'e 'Anna' Ägnes-Öl_Ab x-Ab Ab-"]
)
def test_name_shaped_words_are_located_where_they_occur_as_words(extra: str) -> None:
    for text in corpus()[:2500]:
        text = f"{text[:300]}{extra}{text[300:]}"
        tokens = Tokens(text)
        matches = list(rules.ANY_TOKEN.finditer(text))
        assert tokens.words == [match.group() for match in matches]
        wanted = set(tokens.words[::3]) | {"Anna", "Ab", "Nobody"}
        assert tokens.among(wanted) == [match.span() for match in matches if match.group() in wanted]


def test_factored_business_words_match_where_the_plain_list_does() -> None:
    plain = re.compile(
        rf"(?:[ \t]*(?:&|und)[ \t]*[{rules._UPPER}][{rules._LOWER}-]+)?[ \t]*(?:{rules._LEGAL_FORM}|"
        rf"[{rules._UPPER}]?[{rules._LOWER}-]*(?i:{rules._BUSINESS}))(?![{rules._LOWER}])"
    )
    firms = " Müller Bau, Holz-Immobilien, und Partner, Kliniken, WERKE, Steuerberaterin Steuerberatung."
    found = 0
    for text in (*corpus()[:1000], firms):
        for match in rules.ANY_TOKEN.finditer(text):
            expected = plain.match(text, match.end()) is not None
            assert (rules.ORG_SUFFIX.match(text, match.end()) is not None) == expected
            found += expected
    assert found > 0


_LOWER_CASE_KEYS = ("geboren", "geb.", "geburt", "date of b", "dob", "born", "*", "(at)", "[ät]", "ät", "@]", "(a)")


def test_nothing_beyond_latin1_lowers_to_a_character_of_the_keys() -> None:
    lowered = {char for code in range(256, 0x110000) for char in chr(code).lower()}
    assert lowered.isdisjoint("".join(_LOWER_CASE_KEYS))


@pytest.mark.parametrize("extra", ["", " İSTANBUL ẞ Ÿ ſ KELVIN K Å", " GEBOREN (AT) [ÄT] Date Of Birth DOB € (A)"])
def test_keys_occur_in_the_lowered_latin1_bytes_as_in_the_lowered_text(extra: str) -> None:
    for text in corpus()[:2500]:
        text = f"{text[:200]}{extra}{text[200:]}"
        lowered, latin = text.lower(), TextFacts(text).lowered_latin1
        for key in _LOWER_CASE_KEYS:
            assert (key in lowered) == (key.encode("latin-1") in latin)


def test_at_markers_are_found_at_brackets() -> None:
    texts = (*corpus()[:3000], "a (AT) b", "x [ät]", "{At}", "(a)", "[@] (@)", "((a", "[[at]")
    found = 0
    for text in texts:
        lowered = TextFacts(text).lowered_latin1
        expected = any(marker in lowered for marker in email._AT_MARKERS)
        assert email._has_marker(lowered) == expected
        found += expected
    assert found > 0


def test_article_endings_hold_every_character_an_article_may_end_in() -> None:
    articles = rules.ARTICLE_BEFORE.pattern.split("(?:")[1].split(")")[0].split("|")
    last_letters = {article[-1] for article in articles}
    ending = re.compile(f"[{''.join(last_letters)}]", re.IGNORECASE)
    assert {chr(code) for code in range(0x110000) if ending.fullmatch(chr(code))} == set(rules.ARTICLE_ENDINGS)


def test_birth_keywords_start_where_their_lower_case_latin1_starts_occur() -> None:
    letters = {chr(code) for code in range(0x110000) if re.fullmatch("[gebdatofrn*]", chr(code), re.IGNORECASE)}
    assert letters == set("gebdatofrn*GEBDATOFRN")  # no other character matches them ignoring case
    extra = " GEBOREN 1.2.1990, Geb.-Datum: 03.04.1985 DOB 1990-01-02 *5.6.1970 Date Of Birth 1/2/1980 İ ſ ẞ"
    texts = [*corpus()[:2500], extra]
    pattern = birth_date._BIRTH
    found = 0
    for text in texts:
        facts = TextFacts(text)
        expected = _spans(pattern.finditer(text))
        assert _spans(matches_at(pattern.match, text, birth_date.candidate_starts(facts))) == expected
        found += len(expected)
    assert found > 0
