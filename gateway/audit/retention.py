"""Retention: deleting old records without breaking the chain, and the per-tenant prompt-retention switch.

Pruning first stores a `prune` anchor, the sequence number and hash of the last record it deletes, under the
chain-head lock. Verification then starts from that checkpoint: the first remaining record must link to it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.audit.anchors import anchor_json, new_anchor
from gateway.errors import InvalidRequestError, NotFoundError
from gateway.store.repositories import audit as audit_repo
from gateway.store.repositories import keys as key_repo


def cutoff(days: int, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)


async def prune(session: AsyncSession, before: datetime, secret: str | None) -> dict[str, Any]:
    """Delete the records older than `before` (up to the first newer one), after checkpointing the boundary."""
    now = datetime.now(UTC)
    head_seq, _ = await audit_repo.lock_head(session, now)  # writers wait; the boundary cannot move
    first_kept, _ = await audit_repo.seq_bounds(session, before, None)
    last_pruned = head_seq if first_kept is None else first_kept - 1
    checkpoint = await audit_repo.latest_checkpoint(session)
    if last_pruned <= (checkpoint.seq if checkpoint else 0):
        return {"pruned_through": None, "deleted": 0, "checkpoint": anchor_json(checkpoint) if checkpoint else None}
    boundary_hash = await audit_repo.hash_at(session, last_pruned)
    if boundary_hash is None:
        raise InvalidRequestError(f"Record {last_pruned} is missing; verify the log before pruning.")
    anchor = await audit_repo.add_anchor(session, new_anchor(last_pruned, boundary_hash, "prune", secret, now))
    deleted = await audit_repo.delete_records_through(session, last_pruned)
    return {"pruned_through": last_pruned, "deleted": deleted, "checkpoint": anchor_json(anchor)}


async def set_prompt_retention(session: AsyncSession, tenant_id: str, retain: bool) -> dict[str, Any]:
    if await key_repo.tenant_by_id(session, tenant_id) is None:
        raise NotFoundError(f"No tenant with id '{tenant_id}'.", param="tenant_id", code="tenant_not_found")
    await audit_repo.save_tenant_setting(session, tenant_id, retain, datetime.now(UTC))
    return {"tenant_id": tenant_id, "retain_prompts": retain}


async def prompt_retention(session: AsyncSession, tenant_id: str) -> dict[str, Any]:
    setting = await audit_repo.tenant_setting(session, tenant_id)
    return {"tenant_id": tenant_id, "retain_prompts": bool(setting and setting.retain_prompts)}
