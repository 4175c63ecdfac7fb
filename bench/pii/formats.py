"""Generators for formatted contact data and everyday values: phones, plates, e-mail, dates, prices.

Notations follow what people actually type (DIN 5008 and its many deviations); phone
numbers respect the numbering plans' lengths so they are real-world valid numbers.
"""

from __future__ import annotations

import random
import string


# Area codes with the subscriber-number length that makes a valid number.
def _areas(spec: str) -> tuple[tuple[str, int], ...]:
    # "area:subscriber_length" pairs
    return tuple((a, int(n)) for a, n in (item.split(":") for item in spec.split()))


_DE_AREAS = _areas(
    "30:8 40:8 89:8 69:8 221:7 211:7 711:7 341:7 351:7 511:7 911:7 421:7 201:7 6221:6 7531:6 2241:6 8031:6 15112:6 1520:7 160:7 170:7 171:7 172:7 176:8 177:8 179:7 157:8"
)
_AT_AREAS = _areas("1:7 316:6 732:6 662:6 512:6 463:6 2742:5 664:7 660:7 676:7 650:7 699:8 681:8")
_CH_AREAS = _areas("44:7 43:7 31:7 61:7 41:7 71:7 21:7 22:7 91:7 52:7 79:7 78:7 76:7 77:7 75:7")
_MOBILE = {
    "DE": {"15112", "1520", "160", "170", "171", "172", "176", "177", "179", "157"},
    "AT": {"664", "660", "676", "650", "699", "681"},
    "CH": {"79", "78", "77", "76", "75"},
}
_COUNTRY_CODE = {"DE": "49", "AT": "43", "CH": "41"}
_AREAS = {"DE": _DE_AREAS, "AT": _AT_AREAS, "CH": _CH_AREAS}


def _subscriber_groups(rng: random.Random, subscriber: str, country: str) -> str:
    if country == "CH" and len(subscriber) == 7:
        return f"{subscriber[:3]} {subscriber[3:5]} {subscriber[5:]}"
    if rng.random() < 0.6:
        return subscriber
    cut = len(subscriber) // 2
    return f"{subscriber[:cut]} {subscriber[cut:]}"


def phone(rng: random.Random, country: str, extension: bool = False) -> str:
    """Return a DE/AT/CH phone number in one of the common notations.

    Args:
        rng: Random source.
        country: "DE", "AT" or "CH".
        extension: Append a `-NN` extension (Durchwahl); forces a landline number.
    """
    areas = [a for a in _AREAS[country] if not (extension and a[0] in _MOBILE[country])]
    area, length = rng.choice(areas)
    subscriber = rng.choice("23456789") + "".join(rng.choice(string.digits) for _ in range(length - 1))
    code = _COUNTRY_CODE[country]
    grouped = _subscriber_groups(rng, subscriber, country)
    notations = (
        f"0{area} {grouped}",
        f"0{area}/{grouped}",
        f"0{area}-{subscriber}",
        f"(0{area}) {grouped}",
        f"+{code} {area} {grouped}",
        f"+{code} (0){area} {grouped}",
        f"+{code}-{area}-{subscriber}",
        f"00{code} {area} {grouped}",
        f"+{code}{area}{subscriber}",
        f"0{area}{subscriber}",
        f"0{area} / {grouped}",
    )
    weights = (5, 3, 1, 2, 5, 2, 1, 1, 1, 1, 1)
    number = rng.choices(notations, weights)[0]
    if extension:
        number += "-" + rng.choice(("0", "12", "23", "105", "40", "7"))
    return number


_DE_DISTRICTS = (
    "B",
    "M",
    "HH",
    "K",
    "F",
    "S",
    "D",
    "DO",
    "E",
    "HB",
    "H",
    "L",
    "DD",
    "N",
    "KA",
    "MA",
    "WI",
    "MZ",
    "BN",
    "AC",
    "OS",
    "GÖ",
    "LÖ",
    "FÜ",
    "MÜ",
    "TÜ",
    "BB",
    "ES",
    "LB",
    "RT",
    "HD",
    "FR",
    "UL",
    "A",
    "R",
    "PA",
    "RO",
    "GAP",
    "STA",
    "EBE",
    "OF",
    "DA",
    "GI",
    "KS",
    "MS",
    "BI",
    "OB",
)
_AT_DISTRICTS = (
    "W",
    "G",
    "L",
    "S",
    "I",
    "K",
    "GU",
    "GM",
    "LL",
    "LE",
    "KB",
    "ZE",
    "VB",
    "SZ",
    "IL",
    "KU",
    "BN",
    "MD",
    "WU",
    "SP",
    "BL",
    "FK",
    "DO",
    "VI",
    "WL",
)
_CH_CANTONS = (
    "ZH",
    "BE",
    "LU",
    "UR",
    "SZ",
    "OW",
    "NW",
    "GL",
    "ZG",
    "FR",
    "SO",
    "BS",
    "BL",
    "SH",
    "AR",
    "AI",
    "SG",
    "GR",
    "AG",
    "TG",
    "TI",
    "VD",
    "VS",
    "NE",
    "GE",
    "JU",
)
_PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _digits(rng: random.Random, low: int, high: int) -> str:
    return str(rng.randint(10 ** (low - 1), 10**high - 1))


def kfz(rng: random.Random, country: str) -> str:
    """Return a licence plate of the given country in a common written notation."""
    if country == "AT":
        district = rng.choice(_AT_DISTRICTS)
        letters = "".join(rng.choice(_PLATE_LETTERS) for _ in range(rng.randint(1, 2)))
        sep = rng.choice(("-", " ", " "))
        return f"{district}{sep}{_digits(rng, 2, 5)} {letters}"
    if country == "CH":
        number = _digits(rng, 3, 6)
        if len(number) == 6 and rng.random() < 0.4:
            number = f"{number[:3]} {number[3:]}"
        return f"{rng.choice(_CH_CANTONS)} {number}"
    district = rng.choice(_DE_DISTRICTS)
    letters = "".join(rng.choice(_PLATE_LETTERS) for _ in range(rng.randint(1, 2)))
    digits = _digits(rng, 1, max(1, min(4, 7 - len(district) - len(letters))))
    suffix = rng.choices(("", "E", "H"), (8, 1, 1))[0]
    sep_a, sep_b = rng.choices((("-", " "), (" ", " "), ("-", ""), ("-", "-")), (6, 3, 1, 1))[0]
    return f"{district}{sep_a}{letters}{sep_b}{digits}{suffix}"


_TRANSLIT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "é": "e",
        "è": "e",
        "ë": "e",
        "à": "a",
        "ç": "c",
        " ": "",
        "'": "",
    }
)


def mail_local(first: str, last: str, rng: random.Random) -> str:
    """Build the local part of a personal e-mail address from a name."""
    f, la = first.lower().translate(_TRANSLIT), last.lower().translate(_TRANSLIT)
    return rng.choice(
        (
            f"{f}.{la}",
            f"{f[0]}.{la}",
            f"{f}{la}",
            la,
            f"{f}_{la}",
            f"{f}.{la}{rng.randint(1, 99)}",
            f"{f[0]}{la}",
        )
    )


def domain_for(company: str) -> str:
    """Derive a plausible company domain from an organisation name."""
    words = [
        w
        for w in company.lower().translate(_TRANSLIT).replace("&", " ").split()
        if w.isalpha() and w not in {"gmbh", "ag", "kg", "og", "co", "gbr", "und", "partner", "se"}
    ]
    return "-".join(words[:2]) or "firma"


def obfuscate_email(rng: random.Random, local: str, domain: str) -> str:
    """Write an address the way people hide it from harvesters."""
    return rng.choice(
        (f"{local} (at) {domain}", f"{local}(at){domain}", f"{local} [at] {domain}", f"{local}[at]{domain}")
    )


_MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


def date_text(rng: random.Random, year_low: int, year_high: int) -> str:
    """Return a date in a common German notation."""
    year, month, day = rng.randint(year_low, year_high), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choices(
        (
            f"{day:02d}.{month:02d}.{year}",
            f"{day}.{month}.{year}",
            f"{day}. {_MONTHS[month - 1]} {year}",
            f"{year}-{month:02d}-{day:02d}",
        ),
        (6, 2, 3, 1),
    )[0]


def price(rng: random.Random) -> str:
    """Return a EUR/CHF amount in German notation."""
    amount = rng.randint(1, 250000) / 100 * rng.choice((1, 1, 1, 10))
    euros, cents = divmod(round(amount * 100), 100)
    text = f"{euros:,}".replace(",", ".") + f",{cents:02d}"
    return rng.choice((f"{text} €", f"{text} EUR", f"EUR {text}", f"CHF {text}", f"{text} Euro"))
