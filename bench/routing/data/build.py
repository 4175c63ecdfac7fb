"""Write `eval.jsonl` from the hand-written case modules: `python -m bench.routing.data.build`.

Each line is a canonical request plus its label, a note and its split. Ids hash the content, so adding a case
never renames or re-splits the others; the split is a deterministic function of the id (40% held-out test).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from bench.routing.data import cases_conv, cases_de, cases_en, cases_extra, cases_long

OUT = Path(__file__).with_name("eval.jsonl")
TEST_SHARE_PERCENT = 40


def split_of(case_id: str) -> str:
    """`test` for a stable 40% of ids, `dev` for the rest."""
    bucket = int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % 100
    return "test" if bucket < TEST_SHARE_PERCENT else "dev"


def _single(rows: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    return [{"label": label, "note": note, "messages": [{"role": "user", "content": text}]}
            for label, text, note in rows]


def _with_id(prefix: str, case: dict[str, Any]) -> dict[str, Any]:
    body = {k: case[k] for k in ("messages", "tools", "max_tokens") if k in case}
    digest = hashlib.sha1(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:10]
    case_id = f"{prefix}-{digest}"
    return {"id": case_id, **body, "label": case["label"], "note": case["note"], "split": split_of(case_id)}


def build() -> list[dict[str, Any]]:
    """All cases with ids and splits, in source order."""
    groups: list[tuple[str, list[dict[str, Any]]]] = [
        ("en", _single(cases_en.CASES)), ("de", _single(cases_de.CASES)), ("mix", _single(cases_extra.CASES)),
        ("long", cases_long.CASES), ("conv", cases_conv.CASES),
    ]
    out = [_with_id(prefix, case) for prefix, cases in groups for case in cases]
    ids = [c["id"] for c in out]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate cases")
    return out


def main() -> None:
    cases = build()
    with OUT.open("w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
