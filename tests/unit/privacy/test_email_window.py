"""The search for the address around an "@" starts after the last space before it: the same addresses."""

from __future__ import annotations

from gateway.privacy.recognizers import email
from tests.unit.privacy.test_prefilters import corpus

_CRAFTED = (
    "Von: b@y.de An: a@x.de, 'anna'@firma.de x y.z+tag@mail.example.com",
    "lange " + "a" * 70 + "@x.de und kurz@x.de",
    "a b@c d@e.de @f.de g@ h @i.de\tj@k.de\nl@m.de",
)


def _around_whole_window(text: str, at: int):
    """The search as it was: from 64 characters before the "@"."""
    for match in email._PLAIN.finditer(text, max(0, at - email._MAX_LOCAL), at + email._MAX_DOMAIN):
        if match.start() <= at < match.end():
            return match
    return None


def _span(match):
    return None if match is None else match.span()


def test_addresses_around_each_at_sign_are_those_of_the_whole_window() -> None:
    found = 0
    for text in (*corpus(), *_CRAFTED):
        at = text.find("@")
        while at >= 0:
            expected = _span(_around_whole_window(text, at))
            assert _span(email._around(text, at)) == expected, text
            found += expected is not None
            at = text.find("@", at + 1)
    assert found > 0
