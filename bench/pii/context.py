"""Per-text state for the generator: the people, the organisation and the slot values.

A template names slots such as `{p1.full}` or `{n.order}`; `Context.slot` turns a
slot into segments `(text, type or None)`. Values are drawn once per text, so a
person's name in the greeting and in the signature agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cached_property

from faker import Faker

from bench.pii import formats as f
from bench.pii import values as v

Segment = tuple[str, str | None]

LOCALES = {"DE": "de_DE", "AT": "de_AT", "CH": "de_CH"}
_FREEMAIL = {
    "DE": ("web.de", "gmx.de", "t-online.de", "posteo.de", "gmail.com", "outlook.de", "freenet.de"),
    "AT": ("gmx.at", "aon.at", "chello.at", "gmail.com", "a1.net"),
    "CH": ("bluewin.ch", "gmx.ch", "hispeed.ch", "gmail.com", "sunrise.ch"),
}
_TLD = {"DE": "de", "AT": "at", "CH": "ch"}
_ORG_PATTERNS = (
    "{l} Logistik GmbH",
    "Bäckerei {l}",
    "Autohaus {l} GmbH & Co. KG",
    "{l} & Söhne",
    "Schreinerei {l}",
    "{l} Immobilien AG",
    "Hotel {l}",
    "{l} Haustechnik GmbH",
    "Metzgerei {l}",
    "{l} & {l2} Steuerberater",
    "Elektro {l} GmbH",
    "{l} Versicherungsmakler GmbH",
    "Kanzlei {l} & Partner",
)


@dataclass
class Person:
    """One fictitious person with every attribute a template may ask for."""

    first: str
    last: str
    female: bool
    title: str
    country: str


@dataclass
class Context:
    """Random state of one text."""

    rng: random.Random
    fakers: dict[str, Faker]
    country: str
    _people: dict[str, Person] = field(default_factory=dict)
    _cache: dict[str, list[Segment]] = field(default_factory=dict)

    @property
    def faker(self) -> Faker:
        """Faker of the text's country."""
        return self.fakers[self.country]

    def person(self, key: str) -> Person:
        """Return the person `key` (p1, p2, ...), drawing it on first use."""
        if key not in self._people:
            # A few people come from a neighbouring country, as in real correspondence.
            country = self.country if self.rng.random() < 0.85 else self.rng.choice(tuple(LOCALES))
            fake = self.fakers[country]
            female = self.rng.random() < 0.5
            first = fake.first_name_female() if female else fake.first_name_male()
            while "." in first:  # Faker has abbreviated forms like "Hans-H."
                first = fake.first_name_female() if female else fake.first_name_male()
            title = self.rng.choices(("", "Dr. ", "Prof. Dr. ", "Dipl.-Ing. "), (14, 3, 1, 1))[0]
            self._people[key] = Person(first, fake.last_name(), female, title, country)
        return self._people[key]

    @cached_property
    def org(self) -> str:
        """Name of the organisation in the text; often named after a person (not PII)."""
        if self.rng.random() < 0.4:
            name = self.faker.company()
            return (
                name
                if any(f in name for f in ("GmbH", "AG", "KG", "OG", "GbR", "Partner"))
                else name + " GmbH"
            )
        pattern = self.rng.choice(_ORG_PATTERNS)
        return pattern.format(l=self.faker.last_name(), l2=self.faker.last_name())

    @cached_property
    def org_domain(self) -> str:
        """Mail domain of the organisation."""
        return f"{f.domain_for(self.org)}.{_TLD[self.country]}"

    def slot(self, name: str) -> list[Segment]:
        """Resolve one slot, caching it so repeated use in a text agrees."""
        if name not in self._cache:
            owner, _, attr = name.partition(".")
            if owner.startswith("p"):
                self._cache[name] = self._person_slot(self.person(owner), attr)
            elif owner == "org":
                self._cache[name] = self._org_slot(attr)
            else:
                from bench.pii.negatives import negative_slot

                return negative_slot(self, attr)  # negatives are drawn fresh on every use
        return self._cache[name]

    def _person_slot(self, p: Person, attr: str) -> list[Segment]:
        rng, full = self.rng, f"{p.first} {p.last}"
        anrede = "Frau" if p.female else "Herr"
        simple: dict[str, list[Segment]] = {
            "full": [(full, "PERSON")],
            "first": [(p.first, "PERSON")],
            "last": [(p.last, "PERSON")],
            "inv": [(f"{p.last}, {p.first}", "PERSON")],
            "anrede": [(anrede, None)],
            "hname": [(f"{anrede} {p.title}", None), (p.last, "PERSON")],
            "hfull": [(f"{anrede} {p.title}", None), (full, "PERSON")],
            "tfull": [(p.title, None), (full, "PERSON")] if p.title else [(full, "PERSON")],
        }
        if attr in simple:
            return simple[attr]
        return self._person_detail(p, attr, rng)

    def _person_detail(self, p: Person, attr: str, rng: random.Random) -> list[Segment]:
        anrede = "Frau" if p.female else "Herr"
        if attr == "dear":
            lead = "Sehr geehrte" if p.female else "Sehr geehrter"
            return [(f"{lead} {anrede} {p.title}", None), (p.last, "PERSON")]
        if attr == "hallo":
            form = rng.randrange(3)
            if form == 0:
                return [
                    (rng.choice(("Hallo ", "Hi ", "Liebe " if p.female else "Lieber ")), None),
                    (p.first, "PERSON"),
                ]
            if form == 1:
                return [(f"Hallo {anrede} ", None), (p.last, "PERSON")]
            return [("Guten Tag ", None), (f"{p.first} {p.last}", "PERSON")]
        if attr == "email":
            local = f.mail_local(p.first, p.last, rng)
            domain = rng.choice(_FREEMAIL[p.country]) if rng.random() < 0.5 else self.org_domain
            text = f.obfuscate_email(rng, local, domain) if rng.random() < 0.12 else f"{local}@{domain}"
            return [(text, "EMAIL")]
        if attr == "tel":
            label = rng.choice(
                ("Tel.: ", "Tel. ", "Telefon: ", "Mobil: ", "Handy: ", "T: ", "Fon: ", "Tel: ")
            )
            return [(label, None), (f.phone(rng, p.country), "PHONE")]
        return self._person_numbers(p, attr, rng)

    def _person_numbers(self, p: Person, attr: str, rng: random.Random) -> list[Segment]:
        if attr == "phone":
            return [(f.phone(rng, p.country), "PHONE")]
        if attr in ("street", "city", "addr", "addrblock"):
            street: list[Segment] = [
                (f"{self._street(p.country)} {self._house_number(p.country)}", "ADDRESS")
            ]
            city: list[Segment] = [(self._plz_city(p.country), "ADDRESS")]
            sep = {"street": None, "city": None, "addr": ", ", "addrblock": "\n"}[attr]
            if sep is None:
                return street if attr == "street" else city
            return street + [(sep, None)] + city
        if attr == "dob":
            return [(f.date_text(rng, 1945, 2004), "DATE_OF_BIRTH")]
        if attr == "iban":
            country = p.country if rng.random() < 0.8 else rng.choice(tuple(v._BBAN_LAYOUT))
            number = v.iban(rng, country)
            return [(v.group4(number) if rng.random() < 0.6 else number, "IBAN")]
        if attr == "steuer":
            return [(v.format_steuer_id(rng, v.steuer_id(rng)), "STEUER_ID")]
        if attr == "kfz":
            country = p.country if rng.random() < 0.85 else rng.choice(tuple(LOCALES))
            return [(f.kfz(rng, country), "KFZ")]
        if attr == "card":
            return [(v.credit_card(rng), "CREDIT_CARD")]
        raise KeyError(f"unknown person slot {attr}")

    def _org_slot(self, attr: str) -> list[Segment]:
        rng = self.rng
        if attr == "name":
            return [(self.org, None)]
        if attr == "greet":
            return [(rng.choice(("Sehr geehrte Damen und Herren,", "Guten Tag,", "Hallo,")), None)]
        if attr == "email":
            local = rng.choice(
                (
                    "info",
                    "kontakt",
                    "buchhaltung",
                    "personal",
                    "support",
                    "service",
                    "rechnung",
                    "bewerbung",
                    "schaden",
                    "office",
                )
            )
            return [(f"{local}@{self.org_domain}", "EMAIL")]
        if attr == "phone":
            return [(f.phone(rng, self.country, extension=rng.random() < 0.4), "PHONE")]
        if attr == "addr":
            return [
                (f"{self._street(self.country)} {self._house_number(self.country)}", "ADDRESS"),
                (", ", None),
                (self._plz_city(self.country), "ADDRESS"),
            ]
        if attr == "vat":
            return [(v.vat_id(rng, self.country), "VAT_ID")]
        if attr == "bic":
            return [(rng.choice(v.BICS), "BIC")]
        raise KeyError(f"unknown org slot {attr}")

    def _street(self, country: str) -> str:
        # Faker builds odd names ("Koch IIstraße", "Rose-Grein Groth-Ring"); real streets do not look so.
        fake = self.fakers[country]
        name = fake.street_name()
        while not name[0].isupper() or "II" in name or ("-" in name and " " in name):
            name = fake.street_name()
        return name

    def _house_number(self, country: str) -> str:
        rng = self.rng
        number = str(rng.choices((rng.randint(1, 30), rng.randint(31, 199)), (3, 1))[0])
        extra = rng.choices(("", rng.choice("abc"), f"-{int(number) + 2}"), (10, 2, 1))[0]
        if country == "AT" and rng.random() < 0.35:
            extra += f"/{rng.randint(1, 9)}" + (f"/{rng.randint(1, 30)}" if rng.random() < 0.5 else "")
        return number + extra

    def _plz_city(self, country: str) -> str:
        fake, rng = self.fakers[country], self.rng
        plz = f"{rng.randint(1067, 99998):05d}" if country == "DE" else str(rng.randint(1010, 9999))
        prefix = rng.choices(("", f"{'D' if country == 'DE' else country}-"), (12, 1))[0]
        return f"{prefix}{plz} {fake.city()}"
