"""Generators for PII values with valid checksums, and for look-alikes that fail them.

Every function takes the caller's `random.Random` so that a seed fixes the whole
dataset. Checksums come from python-stdnum where it has them; the Steuer-ID digit
rule that stdnum does not check (a digit appearing three times must not do so in
three consecutive positions) is added here.
"""

from __future__ import annotations

import random
import string

from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.de import idnr
from stdnum.de import vat as de_vat
from stdnum.iso7064 import mod_11_10

# BBAN layouts: "n" digit, "a" upper-case letter, "c" letter or digit.
_BBAN_LAYOUT: dict[str, str] = {
    "DE": "n" * 18,
    "AT": "n" * 16,
    "CH": "n" * 17,
    "LI": "n" * 17,
    "NL": "aaaa" + "n" * 10,
    "LU": "nnn" + "c" * 13,
    "PL": "n" * 24,
    "GB": "aaaa" + "n" * 14,
    "IT": "a" + "n" * 10 + "c" * 12,
    "DK": "n" * 14,
    "CZ": "n" * 20,
}
_CHARS = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}


def _draw(rng: random.Random, layout: str) -> str:
    return "".join(rng.choice(_CHARS[kind]) for kind in layout)


def group4(value: str) -> str:
    """Group a compact number in blocks of four, as printed on forms."""
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def iban(rng: random.Random, country: str) -> str:
    """Return a compact IBAN with correct mod-97 check digits."""
    while True:
        bban = _draw(rng, _BBAN_LAYOUT[country])
        check = std_iban.calc_check_digits(country + "00" + bban)
        candidate = country + check + bban
        if std_iban.is_valid(candidate):
            return candidate


def bad_iban(rng: random.Random, country: str) -> str:
    """Return an IBAN-shaped string whose check digits are wrong."""
    good = iban(rng, country)
    wrong = (int(good[2:4]) + rng.randint(1, 95) - 2) % 97 + 2
    candidate = f"{good[:2]}{wrong:02d}{good[4:]}"
    return candidate if not std_iban.is_valid(candidate) else bad_iban(rng, country)


def steuer_id_ok(number: str) -> bool:
    """Full Steuer-ID rules: stdnum's checks plus no digit three times in a row."""
    if not idnr.is_valid(number):
        return False
    head = number[:10]
    return not any(head[i] == head[i + 1] == head[i + 2] for i in range(8))


def _steuer_head(rng: random.Random) -> str:
    # Ten digits in which exactly one digit occurs twice or three times.
    repeated = rng.choice(string.digits)
    times = rng.choice((2, 2, 3))
    others = rng.sample([d for d in string.digits if d != repeated], 10 - times)
    digits = others + [repeated] * times
    rng.shuffle(digits)
    return "".join(digits)


def steuer_id(rng: random.Random) -> str:
    """Return a compact Steuer-ID valid per check digit and digit distribution."""
    while True:
        head = _steuer_head(rng)
        candidate = head + mod_11_10.calc_check_digit(head)
        if steuer_id_ok(candidate):
            return candidate


def bad_steuer_id(rng: random.Random) -> str:
    """Return an 11-digit number that looks like a Steuer-ID but is invalid.

    Half fail the check digit; the rest have a correct check digit but break the
    digit distribution (all ten digits distinct, or one digit three times in a row).
    """
    mode = rng.random()
    if mode < 0.5:
        good = steuer_id(rng)
        candidate = good[:10] + str((int(good[10]) + rng.randint(1, 9)) % 10)
    elif mode < 0.8:
        head = "".join(rng.sample(string.digits, 10))
        head = head if head[0] != "0" else head[1:] + head[0]
        candidate = head + mod_11_10.calc_check_digit(head)
    else:
        digit = rng.choice("123456789")
        rest = rng.sample([d for d in string.digits if d != digit], 7)
        head = rest[0] + digit * 3 + "".join(rest[1:])
        candidate = head + mod_11_10.calc_check_digit(head)
    return candidate if not steuer_id_ok(candidate) and candidate[0] != "0" else bad_steuer_id(rng)


def format_steuer_id(rng: random.Random, number: str) -> str:
    """Print a Steuer-ID compact or in the official `12 345 678 901` grouping."""
    if rng.random() < 0.5:
        return number
    return f"{number[:2]} {number[2:5]} {number[5:8]} {number[8:]}"


def credit_card(rng: random.Random, valid: bool = True) -> str:
    """Return a grouped 16-digit Visa/Mastercard number, Luhn-valid unless `valid` is False."""
    prefix = rng.choice(("4", "51", "52", "53", "54", "55"))
    body = prefix + "".join(rng.choice(string.digits) for _ in range(15 - len(prefix)))
    check = luhn.calc_check_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    return group4(body + check)


def vat_id(rng: random.Random, country: str) -> str:
    """Return a valid USt-IdNr (DE), UID (AT) or UID (CH) as usually printed."""
    if country == "DE":
        while True:
            body = rng.choice("123456789") + "".join(rng.choice(string.digits) for _ in range(7))
            candidate = body + mod_11_10.calc_check_digit(body)
            if de_vat.is_valid("DE" + candidate):
                return "DE" + candidate
    if country == "AT":
        from stdnum.at import uid

        while True:
            candidate = "ATU" + "".join(rng.choice(string.digits) for _ in range(8))
            if uid.is_valid(candidate):
                return candidate
    from stdnum.ch import uid as ch_uid

    while True:
        digits = "".join(rng.choice(string.digits) for _ in range(9))
        candidate = f"CHE-{digits[:3]}.{digits[3:6]}.{digits[6:]}"
        if ch_uid.is_valid(candidate):
            return candidate


BICS = (
    "COBADEFFXXX",
    "DEUTDEDBBER",
    "INGDDEFFXXX",
    "BYLADEMMXXX",
    "GENODEM1GLS",
    "SSKMDEMMXXX",
    "HYVEDEMMXXX",
    "PBNKDEFFXXX",
    "RZBAATWWXXX",
    "BKAUATWW",
    "GIBAATWWXXX",
    "OBKLAT2L",
    "UBSWCHZH80A",
    "CRESCHZZ80A",
    "POFICHBEXXX",
    "ZKBKCHZZ80A",
    "BUNQNL2AXXX",
    "NTSBDEB1XXX",
)
