"""Record schema, JSONL loading and label validation for the PII benchmark."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TypedDict

DATA_DIR = Path(__file__).parent / "data"
GENERATED_PATH = DATA_DIR / "generated.jsonl"
HANDWRITTEN_PATH = DATA_DIR / "handwritten.jsonl"

CORE_TYPES: tuple[str, ...] = ("PERSON", "EMAIL", "PHONE", "IBAN", "STEUER_ID", "KFZ", "ADDRESS")
OPTIONAL_TYPES: tuple[str, ...] = ("DATE_OF_BIRTH", "CREDIT_CARD", "VAT_ID", "BIC", "ID_CARD", "SVNR")
ALL_TYPES: tuple[str, ...] = CORE_TYPES + OPTIONAL_TYPES


class Label(TypedDict):
    """One gold span: Python str offsets (code points), end exclusive."""

    type: str
    start: int
    end: int


class Record(TypedDict):
    """One benchmark text with its gold spans."""

    id: str
    text: str
    entities: list[Label]
    kind: str


def load_jsonl(path: Path) -> list[Record]:
    """Read records from a JSONL file.

    Args:
        path: File with one JSON record per line.

    Returns:
        The records in file order.
    """
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_jsonl(path: Path, records: Iterable[Record]) -> None:
    """Write records as compact JSONL (UTF-8, one record per line).

    Args:
        path: Target file, overwritten.
        records: Records to write.
    """
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def label_problems(record: Record) -> list[str]:
    """List everything wrong with the labels of one record.

    Checks: known type, offsets inside the text, non-empty span, no leading or
    trailing whitespace or punctuation inside the span, spans sorted and not
    overlapping.

    Args:
        record: The record to check.

    Returns:
        Human-readable problems; empty when the record is clean.
    """
    problems: list[str] = []
    text = record["text"]
    previous_end = -1
    for label in record["entities"]:
        where = f"{record['id']} {label}"
        if label["type"] not in ALL_TYPES:
            problems.append(f"{where}: unknown type")
        if not 0 <= label["start"] < label["end"] <= len(text):
            problems.append(f"{where}: offsets outside text")
            continue
        span = text[label["start"] : label["end"]]
        if span != span.strip() or span.strip(".,;:") != span:
            problems.append(f"{where}: span {span!r} has edge whitespace or punctuation")
        if label["start"] < previous_end:
            problems.append(f"{where}: overlaps or is out of order")
        previous_end = label["end"]
    return problems


def duplicate_ids(records: Iterable[Record]) -> list[str]:
    """Return ids that occur more than once."""
    seen: set[str] = set()
    duplicates: list[str] = []
    for record in records:
        if record["id"] in seen:
            duplicates.append(record["id"])
        seen.add(record["id"])
    return duplicates
