"""A usage-ledger row as the audit record of its request keeps it, and the row rebuilt from that record.

The audit record is committed before the client gets its answer; the ledger row is written up to one flush
interval later, so a killed instance can lose it. The record therefore carries the row's usage id and the
ledger fields it has no column of its own for (`DETAIL_FIELDS`), and the reconciliation rebuilds the lost row
from it: the same row the writer would have written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DETAIL_FIELDS = (
    "cached_tokens",
    "reasoning_tokens",
    "saved_tokens",
    "price_input_usd_per_1m",
    "price_output_usd_per_1m",
    "eur_per_usd",
    "cost_eur",  # exact; the record's hashed `cost_nano_eur` is rounded to 1e-9 EUR
    "latency_ms",
)


def detail(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit record keeps of a ledger row beyond its own fields."""
    return {name: row[name] for name in DETAIL_FIELDS}


def from_audit(record: Mapping[str, Any]) -> dict[str, Any]:
    """The ledger row of an audit record that has a usage id (records of authenticated requests since 0005)."""
    return {
        "request_id": record["request_id"],
        "usage_id": record["usage_id"],
        "tenant_id": record["tenant_id"],
        "key_id": record["key_id"],
        "created_at": record["created_at"],
        # The ledger names the model that answered, else the one asked for; the record keeps both.
        "model": record["model"] if record["model"] is not None else record["requested_model"],
        "provider": record["provider"],
        "prompt_tokens": record["prompt_tokens"],
        "completion_tokens": record["completion_tokens"],
        "cache_hit": bool(record["cache_hit"]),
        "stream": bool(record["stream"]),
        "status": record["status"],
        "outcome": record["outcome"],
        **detail(record["usage_detail"]),
    }
