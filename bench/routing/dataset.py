"""Load the labelled evaluation set into canonical requests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from gateway.catalog import Tier
from gateway.types import ChatRequest

EVAL_PATH = Path(__file__).parent / "data" / "eval.jsonl"


@dataclass(frozen=True)
class Case:
    id: str
    request: ChatRequest
    label: Tier
    split: str
    note: str
    chars: int  # characters of all message contents and tool schemas, for the input-token estimate


def to_request(row: dict[str, Any]) -> ChatRequest:
    """The canonical request of one eval row (the shape the HTTP edge produces)."""
    body = {"model": "auto", "messages": row["messages"], "tools": row.get("tools", []),
            "max_tokens": row.get("max_tokens")}
    return msgspec.convert(body, ChatRequest)


def load(path: Path = EVAL_PATH) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        chars = sum(len(m.get("content") or "") for m in row["messages"])
        chars += len(json.dumps(row.get("tools", []))) if row.get("tools") else 0
        cases.append(Case(row["id"], to_request(row), row["label"], row["split"], row["note"], chars))
    return cases
