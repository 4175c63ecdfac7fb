"""What the audit log keeps of one settled request: who, when, what, how it ended. Never PII, never prompt text:
the PII types and counts, the SHA-256 of the scrubbed prompt, the subject as a salted hash."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from gateway.audit.erasure import subject_hash
from gateway.settle import Settlement
from gateway.tenancy.costs import Cost
from gateway.tenancy.ledger_row import detail

ANONYMOUS = "anonymous"
NANO = 1_000_000_000


@dataclass
class PendingRecord:
    """A record waiting for its batch: the hashed fields (sequence and hashes come at commit), the scrubbed
    prompt for retention (encrypted at commit, if the tenant retains), and who waits for the commit."""

    fields: dict[str, Any]
    prompt: bytes | None
    subject: tuple[str, str] | None  # (tenant id, subject hash)
    done: asyncio.Future[None] | None = None
    unsure: bool = False  # a write of it failed, perhaps only after its commit: looked for before it is written again


def audit_fields(record: Settlement, cost: Cost, now: datetime | None = None) -> PendingRecord:
    tenant, candidate = record.tenant, record.candidate
    prompt = msgspec.json.encode(record.prompt.messages) if record.prompt is not None else None
    subject = None
    if tenant is not None:
        subject = (tenant.tenant_id, subject_hash(tenant.tenant_id, record.subject or tenant.key_id))
    row = record.ledger_row  # the request's ledger row: the record keeps what rebuilds it (tenancy/ledger_row.py)
    fields: dict[str, Any] = {
        "request_id": record.request_id[:128],
        "created_at": now or (row["created_at"] if row is not None else datetime.now(UTC)),
        "tenant_id": tenant.tenant_id if tenant else None,
        "key_id": tenant.key_id if tenant else ANONYMOUS,
        "subject_hash": subject[1] if subject else None,
        "requested_model": _clip(record.requested_model, 200),  # client-chosen: must fit its column
        "model": candidate.model.name if candidate else None,
        "provider": candidate.provider.config.name if candidate else None,
        "status": record.status,
        "outcome": record.outcome,
        "error_code": _clip(record.error_code, 64),
        "pii": dict(record.pii_detections),
        "prompt_tokens": record.usage.prompt_tokens,
        "completion_tokens": record.usage.completion_tokens,
        "cost_nano_eur": round(cost.eur * NANO),  # an integer: floats would not hash the same after a round trip
        "cache_hit": bool(record.cache_hit),  # "exact" / "semantic" / None on the Settlement
        "stream": record.stream,
        "prompt_sha256": hashlib.sha256(prompt).hexdigest() if prompt is not None else None,
        "retained": False,  # decided at commit, from the tenant's setting
        "usage_id": row["usage_id"] if row is not None else None,
        "usage_detail": detail(row) if row is not None else None,
    }
    return PendingRecord(fields, prompt, subject)


def _clip(value: str | None, size: int) -> str | None:
    """Client-controlled text cut to its column: one oversized value must not fail a whole batch."""
    return value[:size] if value is not None else None
