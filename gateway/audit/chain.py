"""The hash chain: how one audit record is hashed and linked to its predecessor, and how a run of records is
checked. Pure functions, no I/O: the writer, the verifier and the export proof all share them.

    digest = SHA-256(canonical JSON of the record's fields)
    hash   = SHA-256(bytes(prev_hash) || digest)

The sequence number is not hashed: order is carried by the links, so a renumbered row shows as a broken link
(reordered / missing) rather than as altered content. Retained prompt content is stored apart and not hashed
(the record holds the SHA-256 of the scrubbed prompt instead), so crypto-shredding never breaks the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

GENESIS = "0" * 64

# The hashed fields, in the order export and CSV show them. Changing this list breaks every existing chain.
FIELDS = (
    "request_id",
    "created_at",
    "tenant_id",
    "key_id",
    "subject_hash",
    "requested_model",
    "model",
    "provider",
    "status",
    "outcome",
    "error_code",
    "pii",
    "prompt_tokens",
    "completion_tokens",
    "cost_nano_eur",
    "cache_hit",
    "stream",
    "prompt_sha256",
    "retained",
)

# Hashed only when set, after the fields above: records written before they existed (revision 0005) have them
# NULL, so their canonical bytes, and their hashes, are what they always were.
OPTIONAL_FIELDS = (
    "usage_id",  # the request's ledger row
    "usage_detail",  # the ledger fields the record has no column of its own for (tenancy/ledger_row.py)
)

BreakReason = Literal["altered", "missing", "reordered", "truncated", "anchor_mismatch"]


def timestamp(moment: datetime) -> str:
    """The canonical form of a record time: UTC, microseconds (what PostgreSQL and SQLite both round-trip)."""
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; the gateway only ever writes UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: the record's fields as sorted, compact JSON (times already canonical)."""
    content = {name: fields[name] for name in FIELDS}
    for name in OPTIONAL_FIELDS:
        value = fields.get(name)
        if value is not None:
            content[name] = value
    created = content["created_at"]
    if isinstance(created, datetime):
        content["created_at"] = timestamp(created)
    content["cache_hit"] = bool(content["cache_hit"])
    content["stream"] = bool(content["stream"])
    content["retained"] = bool(content["retained"])
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


def digest(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def link(prev_hash: str, record_digest: str) -> str:
    """The record hash: its predecessor's hash and its own digest."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + bytes.fromhex(record_digest)).hexdigest()


def chain_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return link(prev_hash, digest(fields))


@dataclass(frozen=True)
class Break:
    """The first broken link: where, and why."""

    seq: int
    reason: BreakReason
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True)
class LinkProblem:
    """A row whose own hash is right but whose `prev_hash` is not its predecessor's hash. Whether it was
    reordered or its predecessor is gone needs a look-up of `claimed_prev` elsewhere in the log."""

    seq: int
    claimed_prev: str


class ChainChecker:
    """Checks rows fed in sequence order, one at a time, keeping only the last hash (constant memory)."""

    def __init__(self, expected_seq: int, expected_prev: str | None) -> None:
        """`expected_prev` None: the first row's link cannot be checked (a range whose predecessor is pruned)."""
        self.expected_seq = expected_seq
        self.expected_prev = expected_prev
        self.checked = 0

    def feed(self, row: Mapping[str, Any]) -> Break | LinkProblem | None:
        seq = int(row["seq"])
        if seq != self.expected_seq:
            return Break(self.expected_seq, "missing", f"no record with sequence {self.expected_seq} (next is {seq})")
        if chain_hash(row["prev_hash"], row) != row["hash"]:
            return Break(seq, "altered", "the record's content does not match its hash")
        if self.expected_prev is not None and row["prev_hash"] != self.expected_prev:
            return LinkProblem(seq, row["prev_hash"])
        self.expected_seq, self.expected_prev = seq + 1, row["hash"]
        self.checked += 1
        return None


def classify(problem: LinkProblem, claimed_prev_seq: int | None) -> Break:
    """Turn a link problem into a reason, knowing where (if anywhere) the claimed predecessor sits."""
    if claimed_prev_seq is not None:
        return Break(
            problem.seq,
            "reordered",
            f"the record follows sequence {claimed_prev_seq} in the chain but is stored at {problem.seq}",
        )
    return Break(
        problem.seq,
        "missing",
        f"the predecessor of sequence {problem.seq} is not in the log (removed, or altered and re-hashed)",
    )
