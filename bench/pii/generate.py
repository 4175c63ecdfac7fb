"""Deterministic generator of the synthetic labelled PII dataset.

Run `python -m bench.pii.generate [--seed 5] [--count 1000]`; it overwrites
bench/pii/data/generated.jsonl. The committed file is the benchmark of record:
the output depends on the Faker version, so regenerate only on purpose.
"""

from __future__ import annotations

import argparse
import random
import re

from faker import Faker

from bench.pii.context import LOCALES, Context, Segment
from bench.pii.dataset import GENERATED_PATH, Label, Record, label_problems, write_jsonl
from bench.pii.templates import CLEAN, PII

_SLOT = re.compile(r"\{([a-z0-9]+\.[a-z]+)\}")
_COUNTRY_WEIGHTS = {"DE": 6, "AT": 2, "CH": 2}
_CLEAN_SHARE = 0.25
_OPENERS = ("", "", "", "Kurze Frage: ", "Wichtig! ", "Nachtrag zu gestern: ", "FYI\n")
_CLOSERS = (
    "",
    "",
    "",
    "\nDanke im Voraus.",
    "\n\nGesendet von meinem iPhone",
    " Bitte kurz bestätigen.",
    "\n\nDiese E-Mail kann vertrauliche Informationen enthalten.",
)


def render(template: str, ctx: Context) -> list[Segment]:
    """Turn a template into labelled segments by resolving its slots.

    Literal text of Swiss texts is written without ß, as in Switzerland.

    Args:
        template: Template with `{owner.attr}` slots.
        ctx: Per-text random state.

    Returns:
        Segments in text order.
    """
    segments: list[Segment] = []
    position = 0
    for match in _SLOT.finditer(template):
        segments.append((template[position : match.start()], None))
        segments.extend(ctx.slot(match.group(1)))
        position = match.end()
    segments.append((template[position:], None))
    if ctx.country == "CH":
        segments = [(t.replace("ß", "ss"), None) if kind is None else (t, kind) for t, kind in segments]
    return segments


def to_record(record_id: str, kind: str, segments: list[Segment]) -> Record:
    """Concatenate segments into text and collect the labelled spans."""
    parts: list[str] = []
    labels: list[Label] = []
    offset = 0
    for text, entity_type in segments:
        if entity_type is not None and text:
            labels.append({"type": entity_type, "start": offset, "end": offset + len(text)})
        parts.append(text)
        offset += len(text)
    return {"id": record_id, "text": "".join(parts), "entities": labels, "kind": kind}


def generate(seed: int, count: int) -> list[Record]:
    """Generate `count` records; the same seed and Faker version give the same records.

    Args:
        seed: Seed for Python's random and Faker.
        count: Number of texts.

    Returns:
        Records, a quarter of them without any PII.
    """
    rng = random.Random(seed)
    fakers = {country: Faker(locale) for country, locale in LOCALES.items()}
    for index, fake in enumerate(fakers.values()):
        fake.seed_instance(seed * 10 + index)
    records: list[Record] = []
    for number in range(count):
        clean = number % 4 == 3  # exactly a quarter, spread evenly
        pool = CLEAN if clean else PII
        kind = rng.choice(sorted(pool))
        country = rng.choices(tuple(_COUNTRY_WEIGHTS), tuple(_COUNTRY_WEIGHTS.values()))[0]
        ctx = Context(rng=rng, fakers=fakers, country=country)
        template = rng.choice(pool[kind])
        segments = [(rng.choice(_OPENERS), None), *render(template, ctx), (rng.choice(_CLOSERS), None)]
        record = to_record(f"gen-{number:04d}", kind, segments)
        if label_problems(record) or (clean and record["entities"]):
            raise ValueError(f"generator produced a bad record: {label_problems(record)}")
        records.append(record)
    return records


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    records = generate(args.seed, args.count)
    write_jsonl(GENERATED_PATH, records)
    print(f"wrote {len(records)} records to {GENERATED_PATH}")


if __name__ == "__main__":
    main()
