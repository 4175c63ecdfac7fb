"""Obfuscated addresses, tried only in the local part before each marker: the matches of the whole search."""

from __future__ import annotations

from gateway.privacy.recognizers import email
from gateway.privacy.recognizers.facts import TextFacts
from tests.unit.privacy.test_prefilters import corpus

_CRAFTED = (
    "Mail an lena.fischer (at) firma.de oder an max[at]firma[dot]de",
    "a.b(AT)c (punkt) de, x'ab (at) y.de und .x'ab(at)y.de",
    "{at} ohne Adresse, dann anna{At}firma.de und (ät) bei otto(ät)web.de",
    "kurz (a) b.de, lang (@) c.de, eckig [@] d.de, zwei a(at)b(at)c.de",
    "Ende ohne Adresse (at)",
    "\u00a0an\u00a0(at)\u00a0firma.de und\tb\t[AT]\tc.de\nund\nc\n(at)\nd.de",
    "İSTANBUL-max (at) firma.\u212aom, ſabine(at)web.de, -x (at) y.de, %z (at) q.de",
    "(at)(at)(at) a(at)(at)b.de a (at)b.de",
)


def _spans(matches: object) -> list[tuple[int, int]]:
    return [match.span() for match in matches]  # type: ignore[attr-defined]


def test_obfuscated_addresses_are_those_of_the_whole_search() -> None:
    found = 0
    for text in (*corpus(), *_CRAFTED):
        expected = _spans(email._OBFUSCATED.finditer(text))
        assert _spans(email.obfuscated(text, TextFacts(text).lowered_latin1)) == expected, text
        found += len(expected)
    assert found > 10
