"""Validate every label of both data files: `python -m bench.pii.check` (exit 1 on problems).

Beyond the structural checks in dataset.label_problems, numbers labelled as IBAN,
STEUER_ID or CREDIT_CARD must pass their checksums, since invalid ones are not PII.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from stdnum import iban, luhn

from bench.pii.dataset import (
    GENERATED_PATH,
    HANDWRITTEN_PATH,
    Record,
    duplicate_ids,
    label_problems,
    load_jsonl,
)
from bench.pii.values import steuer_id_ok

_CHECKSUMS: dict[str, Callable[[str], bool]] = {
    "IBAN": lambda value: bool(iban.is_valid(value)),
    "STEUER_ID": lambda value: steuer_id_ok(value.replace(" ", "")),
    "CREDIT_CARD": lambda value: luhn.is_valid(value.replace(" ", "")),
}


def checksum_problems(record: Record) -> list[str]:
    """List labelled numbers of checksummed types that fail their checksum."""
    problems: list[str] = []
    for label in record["entities"]:
        check = _CHECKSUMS.get(label["type"])
        value = record["text"][label["start"] : label["end"]]
        if check is not None and not check(value):
            problems.append(f"{record['id']}: {label['type']} {value!r} fails its checksum")
    return problems


def all_problems(records: list[Record]) -> list[str]:
    """Structural, checksum and duplicate-id problems of a data set."""
    problems = [p for r in records for p in label_problems(r) + checksum_problems(r)]
    return problems + [f"duplicate id {i}" for i in duplicate_ids(records)]


def main() -> None:
    """Check both data files and print a summary."""
    failed = False
    for path in (GENERATED_PATH, HANDWRITTEN_PATH):
        records = load_jsonl(path)
        problems = all_problems(records)
        print(
            f"{path.name}: {len(records)} texts, {sum(len(r['entities']) for r in records)} labels, "
            f"{len(problems)} problems"
        )
        print("\n".join(problems))
        failed = failed or bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
