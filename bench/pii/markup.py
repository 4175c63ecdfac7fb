"""Convert the hand-written texts from inline markup into labelled JSONL.

The source, bench/pii/data/handwritten.txt, holds blocks that start with
`### <id> <kind>`; inside, `[[TYPE|text]]` marks a labelled span. Markup keeps hand
labelling free of offset arithmetic. Run `python -m bench.pii.markup` after editing it.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.pii.dataset import DATA_DIR, HANDWRITTEN_PATH, Label, Record, write_jsonl

SOURCE_PATH = DATA_DIR / "handwritten.txt"
_HEADER = re.compile(r"^### (\S+) (\S+)$", re.MULTILINE)
_MARK = re.compile(r"\[\[([A-Z_]+)\|([^\n|]+?)\]\]")


def parse_block(record_id: str, kind: str, body: str) -> Record:
    """Strip the markup from one text and record its spans.

    Args:
        record_id: Id of the text.
        kind: Genre of the text.
        body: Marked-up text.

    Returns:
        The labelled record.
    """
    parts: list[str] = []
    labels: list[Label] = []
    offset = position = 0
    for match in _MARK.finditer(body):
        before = body[position : match.start()]
        parts.append(before)
        offset += len(before)
        value = match.group(2)
        labels.append({"type": match.group(1), "start": offset, "end": offset + len(value)})
        parts.append(value)
        offset += len(value)
        position = match.end()
    parts.append(body[position:])
    text = "".join(parts)
    if "[[" in text or "]]" in text:
        raise ValueError(f"{record_id}: unbalanced markup")
    return {"id": record_id, "text": text, "entities": labels, "kind": kind}


def parse(source: str) -> list[Record]:
    """Parse the whole marked-up source into records, in file order."""
    headers = list(_HEADER.finditer(source))
    records: list[Record] = []
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(source)
        body = source[header.end() : end].strip("\n").rstrip()
        records.append(parse_block(header.group(1), header.group(2), body))
    return records


def load_source(path: Path = SOURCE_PATH) -> list[Record]:
    """Parse the hand-written source file."""
    return parse(path.read_text(encoding="utf-8"))


def main() -> None:
    """Write handwritten.jsonl from handwritten.txt."""
    records = load_source()
    write_jsonl(HANDWRITTEN_PATH, records)
    print(f"wrote {len(records)} records to {HANDWRITTEN_PATH}")


if __name__ == "__main__":
    main()
