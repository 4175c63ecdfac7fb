"""The fast IBAN and Luhn checks agree with python-stdnum's on valid, corrupted and odd input."""

from __future__ import annotations

import random

from stdnum import iban, luhn

from gateway.privacy.recognizers.credit_card import _CANDIDATE, _luhn_valid
from gateway.privacy.recognizers.iban import is_valid_iban
from tests.unit.privacy.test_prefilters import corpus

_KINDS = {"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "c": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def _valid_ibans(rng: random.Random) -> list[str]:
    """One IBAN with correct check digits per country of stdnum's registry, digits and letters as its format says."""
    numbers = []
    for _, country, _, props, _ in iban._ibandb.prefixes:
        bban = ""
        for count, kind in iban._struct_re.findall(props["bban"]):
            bban += "".join(rng.choice(_KINDS[kind]) for _ in range(int(count)))
        numbers.append(country + iban.calc_check_digits(f"{country}00{bban}") + bban)
    return numbers


def _variants(number: str, rng: random.Random) -> list[str]:
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    position = rng.randrange(len(number))
    swapped = number[:position] + rng.choice(_KINDS["c"]) + number[position + 1 :]
    return [number, grouped, swapped, number[:-1], number + "7", number.lower(), grouped.replace(" ", "  ")]


def test_fast_iban_check_agrees_with_stdnum():
    rng = random.Random(5)
    candidates = [v for number in _valid_ibans(rng) for v in _variants(number, rng)]
    candidates += ["", "    ", "DE", "DE89", "DE８９370400440532013000", "XX89370400440532013000", "DE89-3704-0044"]
    assert sum(iban.is_valid(c) for c in candidates) > 89  # every country's valid form is among them
    assert [c for c in candidates if is_valid_iban(c) != iban.is_valid(c)] == []


def test_fast_luhn_check_agrees_with_stdnum():
    rng = random.Random(9)
    numbers = ["".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 20))) for _ in range(3000)]
    numbers += [number + luhn.calc_check_digit(number) for number in numbers]
    numbers += ["", "٤١١١١١١١١١١١١١١١"]
    assert sum(luhn.is_valid(n) for n in numbers) > 3000  # every completed number is among them
    assert [n for n in numbers if _luhn_valid(n) != luhn.is_valid(n)] == []


def test_card_candidates_hold_only_digits_spaces_and_hyphens() -> None:
    """So removing spaces and hyphens leaves what ``re.sub(r"\\D", "", ...)`` leaves (``\\d`` is ``isdecimal``)."""
    texts = [*corpus(), "4111 1111-1111 1111", "٤١١١ ١١١١ ١١١١ ١١١١", "4111\u00a01111\u20111111 1111"]
    groups = [match.group() for text in texts for match in _CANDIDATE.finditer(text)]
    assert len(groups) > 100
    assert [group for group in groups if not group.replace(" ", "").replace("-", "").isdecimal()] == []
