"""Anchors: the chain head at a moment, stored, printable and HMAC-signed when a secret is configured.

A hash chain alone cannot show that its tail was cut off: the last remaining record still verifies. An anchor
exported outside the database (printed by `gateway audit anchor`, or kept by the periodic task) names a sequence
number and hash the log must still contain. The `prune` anchor is the checkpoint the log starts from after
old records were deleted.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.audit.chain import timestamp
from gateway.store.repositories import audit as audit_repo
from gateway.store.tables import AuditAnchor


def sign(secret: str, seq: int, head_hash: str, created_at: datetime) -> str:
    message = f"{seq}:{head_hash}:{timestamp(created_at)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_valid(secret: str, anchor: AuditAnchor) -> bool:
    if anchor.signature is None:
        return False
    return hmac.compare_digest(anchor.signature, sign(secret, anchor.seq, anchor.hash, anchor.created_at))


async def anchor_head(session: AsyncSession, kind: str, secret: str | None) -> AuditAnchor | None:
    """Store an anchor of the current head; None while the log is empty."""
    now = datetime.now(UTC)
    seq, head_hash = await audit_repo.lock_head(session, now)
    if seq == 0:
        return None
    return await audit_repo.add_anchor(session, new_anchor(seq, head_hash, kind, secret, now))


def new_anchor(seq: int, head_hash: str, kind: str, secret: str | None, now: datetime) -> AuditAnchor:
    signature = sign(secret, seq, head_hash, now) if secret else None
    return AuditAnchor(seq=seq, hash=head_hash, kind=kind, created_at=now, signature=signature)


def anchor_json(anchor: AuditAnchor) -> dict[str, Any]:
    return {
        "seq": anchor.seq,
        "hash": anchor.hash,
        "kind": anchor.kind,
        "created_at": timestamp(anchor.created_at),
        "signature": anchor.signature,
    }
