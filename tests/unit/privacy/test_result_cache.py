"""The analyzer's result cache: repeated texts are answered from it, bounded, without keeping text."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.privacy import Analyzer, Entity
from gateway.privacy.recognizers.facts import TextFacts
from gateway.privacy.result_cache import MAX_TEXT_CHARS, MIN_TEXT_CHARS, ResultCache

TEXT = "Bitte rufen Sie mich an, Anna Schulz, Tel. 0171 1234567, Mail anna@firma.de"


class _Counting:
    """A recognizer that marks the word "Anna" and counts how often it ran."""

    types = frozenset({"PERSON", "EMAIL"})

    def __init__(self) -> None:
        self.runs = 0

    def find(self, text: str, facts: TextFacts) -> Iterator[Entity]:
        self.runs += 1
        start = text.find("Anna")
        if start >= 0:
            yield Entity("PERSON", start, start + 4, 0.9)
        at = text.find("@")
        if at >= 0:
            yield Entity("EMAIL", at - 4, at + 9, 0.98)


def _analyzer(cache_size: int = 8) -> tuple[Analyzer, _Counting]:
    recognizer = _Counting()
    return Analyzer([recognizer], cache_size=cache_size), recognizer


def test_second_call_is_answered_from_the_cache_with_equal_entities():
    analyzer, recognizer = _analyzer()
    first = analyzer.detect(TEXT)
    assert analyzer.detect(TEXT) == first
    assert recognizer.runs == 1


def test_cached_result_equals_a_fresh_detection_by_the_real_analyzer(analyzer):
    uncached = Analyzer(cache_size=0)
    assert analyzer.detect(TEXT) == analyzer.detect(TEXT) == uncached.detect(TEXT) != []


def test_changing_a_returned_list_does_not_change_the_cache():
    analyzer, _ = _analyzer()
    analyzer.detect(TEXT).clear()
    returned = analyzer.detect(TEXT)
    returned.append(Entity("IBAN", 0, 1, 1.0))
    assert [e.type for e in analyzer.detect(TEXT)] == ["PERSON", "EMAIL"]


def test_requested_types_are_part_of_the_key():
    analyzer, recognizer = _analyzer()
    only_email = analyzer.detect(TEXT, frozenset({"EMAIL"}))
    everything = analyzer.detect(TEXT)
    only_person = analyzer.detect(TEXT, frozenset({"PERSON"}))
    assert [e.type for e in only_email] == ["EMAIL"]
    assert [e.type for e in everything] == ["PERSON", "EMAIL"]
    assert [e.type for e in only_person] == ["PERSON"]
    assert recognizer.runs == 3


def test_cache_keeps_at_most_its_bound_and_drops_the_least_recently_used():
    analyzer, recognizer = _analyzer(cache_size=2)
    texts = [f"{TEXT} ({n})" for n in range(3)]
    analyzer.detect(texts[0])
    analyzer.detect(texts[1])
    analyzer.detect(texts[0])  # now the most recently used
    analyzer.detect(texts[2])  # evicts texts[1]
    assert recognizer.runs == 3
    analyzer.detect(texts[0])
    assert recognizer.runs == 3
    analyzer.detect(texts[1])
    assert recognizer.runs == 4
    assert len(analyzer._cache) == 2


def test_short_and_very_long_texts_are_not_cached():
    analyzer, recognizer = _analyzer()
    short = "Anna".ljust(MIN_TEXT_CHARS - 1)
    long = "Anna".ljust(MAX_TEXT_CHARS + 1)
    for text in (short, short, long, long):
        analyzer.detect(text)
    assert recognizer.runs == 4


def test_size_zero_turns_the_cache_off():
    analyzer, recognizer = _analyzer(cache_size=0)
    analyzer.detect(TEXT)
    analyzer.detect(TEXT)
    assert recognizer.runs == 2


def test_keys_hold_a_digest_not_the_text():
    cache = ResultCache(4)
    key = cache.key(TEXT, frozenset({"PERSON"}))
    assert key is not None
    digest, types = key
    assert len(digest) == 16 and TEXT.encode() not in digest and types == frozenset({"PERSON"})


def test_text_with_a_lone_surrogate_is_cached_too():
    analyzer, recognizer = _analyzer()
    text = TEXT + " \ud800"
    assert analyzer.detect(text) == analyzer.detect(text)
    assert recognizer.runs == 1
