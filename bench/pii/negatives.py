"""Hard negatives: text that looks like PII but is not, per the labelling contract.

Numbers that fail their checksum, business reference numbers, prices, dates that are
not birth dates, organisations named after people, bare city names, and German
nouns that are also surnames.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from bench.pii import formats as f
from bench.pii import values as v

if TYPE_CHECKING:
    from bench.pii.context import Context, Segment

NOUN_SENTENCES = (
    "Der Koch hat heute Spätschicht.",
    "Wir brauchen noch einen Schneider für die Änderungen.",
    "Der Bauer liefert die Kartoffeln erst am Montag.",
    "Unser Maurer kommt morgen früh.",
    "Der Zimmermann hat das Dach schon abgenommen.",
    "Der Fischer am Hafen hatte keinen Zander mehr.",
    "Der Richter hat die Verhandlung vertagt.",
    "Im Winter ist die Filiale samstags geschlossen.",
    "Der Jäger meldet Wildschaden am Waldrand.",
    "Der Schäfer zieht mit der Herde weiter.",
    "Ein Wagner repariert heute kaum noch Räder.",
    "Der Gärtner hat die Hecke zu stark geschnitten.",
    "Der Meister der Frühschicht ist informiert.",
    "Der Becher ist beim Transport zerbrochen.",
    "Der Müller der alten Mühle bietet Führungen an.",
    "Wie ein Fuchs hat sich der Vertrieb das Angebot gesichert.",
    "Der Kaiser von Österreich steht im Geschichtsbuch.",
    "Das Team arbeitet im Sommer in zwei Schichten.",
    "Der Schmied hat das Tor neu geschweißt.",
    "Der Bäcker öffnet schon um sechs Uhr.",
    "Der Weber im Museum zeigt, wie ein Webstuhl funktioniert.",
    "Ein Vogel ist gegen die Scheibe geflogen.",
    "Der Kellner hat die falsche Rechnung gebracht.",
    "Der Fleischer liefert das Catering-Fleisch.",
    "Die Lehrerin hat den Elternabend verschoben.",
    "Der Hahn im Lager tropft seit Tagen.",
    "Ein Engel auf dem Weihnachtsmarkt hat Flyer verteilt.",
    "Der Wolf wurde im Nationalpark gesichtet.",
)
_CODES = (
    "ISO 27001",
    "DIN 5008",
    "ISO 9001",
    "DIN A4",
    "Modell XC 90",
    "Windows 11",
    "Office 365",
    "EN 1090",
    "Kostenstelle 4711",
    "Raum B 204",
    "Gleis 12",
    "Kategorie A 1",
    "Schutzklasse IP 65",
    "Typ 2",
    "Version 3.14.2",
    "Formular ESt 1 A",
    "Euro 6",
    "Bauteil KX 20",
    "Halle 3",
    "PSD2",
)
_NEUTRAL_DATE_CONTEXT = ("am", "bis zum", "seit dem", "vom", "ab dem")


def _ref(rng: random.Random) -> str:
    return rng.choice(
        (
            f"Bestellnummer {rng.randint(4500000000, 4599999999)}",
            f"Auftrag Nr. A-{rng.randint(2019, 2025)}-{rng.randint(1, 9999):04d}",
            f"Rechnungsnummer RE-{rng.randint(2020, 2025)}-{rng.randint(1, 99999):05d}",
            f"Rechnung {rng.randint(20200101, 20251231)}-{rng.randint(1, 99)}",
            f"Kundennummer {rng.randint(100000, 999999999)}",
            f"KD-Nr. {rng.randint(10000, 99999)}",
            f"Vertragsnummer V{rng.randint(10000000, 99999999)}",
            f"Ticket #{rng.randint(10000, 999999)}",
            f"Vorgang INC{rng.randint(1000000, 9999999)}",
            f"Lieferschein {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(10, 99)}",
            f"Seriennummer {rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
            f"Aktenzeichen {rng.randint(1, 30)} O {rng.randint(1, 999)}/{rng.randint(19, 25)}",
            f"Policennummer {rng.randint(10, 99)}.{rng.randint(100000, 999999)}.{rng.randint(1, 9)}",
            f"Schadennummer {rng.randint(2019, 2025)}-{rng.randint(100000, 999999)}",
        )
    )


def _number_like(rng: random.Random) -> str:
    country = rng.choice(("DE", "DE", "AT", "CH", "NL"))
    bad = v.bad_iban(rng, country)
    return rng.choice(
        (
            f"die IBAN {v.group4(bad) if rng.random() < 0.6 else bad} (laut Bank ungültig)",
            f"die Nummer {v.bad_steuer_id(rng)}",
            f"Referenz {v.bad_steuer_id(rng)}",
            f"die Kartennummer {v.credit_card(rng, valid=False)} (abgelehnt)",
            f"Buchungsnummer {v.bad_steuer_id(rng)}",
        )
    )


def negative_slot(ctx: Context, attr: str) -> list[Segment]:
    """Resolve an `n.*` slot; every value is unlabelled text.

    Args:
        ctx: Context of the current text.
        attr: Slot attribute after `n.`.

    Returns:
        One unlabelled segment.
    """
    rng, fake = ctx.rng, ctx.faker
    makers = {
        "ref": lambda: _ref(rng),
        "price": lambda: f.price(rng),
        "date": lambda: f"{rng.choice(_NEUTRAL_DATE_CONTEXT)} {f.date_text(rng, 2021, 2026)}",
        "rawdate": lambda: f.date_text(rng, 2021, 2026),
        "time": lambda: f"{rng.randint(7, 18)}:{rng.choice(('00', '15', '30', '45'))} Uhr",
        "city": lambda: fake.city(),
        "noun": lambda: rng.choice(NOUN_SENTENCES),
        "numlike": lambda: _number_like(rng),
        "code": lambda: rng.choice(_CODES),
        "qty": lambda: (
            f"{rng.randint(2, 500)} {rng.choice(('Stück', 'kg', 'Paletten', 'Kartons', 'Liter', 'Stunden'))}"
        ),
        "orgp": lambda: (
            rng.choice(("Bäckerei", "Metzgerei", "Autohaus", "Schreinerei", "Friseursalon"))
            + " "
            + fake.last_name()
        ),
        "percent": lambda: f"{rng.randint(1, 40)} %",
        "plzrange": lambda: f"PLZ-Bereich {rng.randint(1, 9)}",
    }
    return [(makers[attr](), None)]
