"""Verification of the stored chain, whole or a range: rows are read in sequence order in keyset-paginated
chunks (constant memory, constant cost per chunk at any depth), each re-hashed and linked to the one before;
anchors and the chain head catch a cut-off tail. Stops at the first broken link and says where and why."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.audit.anchors import anchor_json, signature_valid
from gateway.audit.chain import GENESIS, Break, ChainChecker, LinkProblem, classify
from gateway.store.repositories import audit as audit_repo
from gateway.store.tables import AuditAnchor

CHUNK = 5000


@dataclass
class VerifyReport:
    valid: bool
    checked: int
    first_seq: int | None
    last_seq: int | None
    head_seq: int
    seconds: float
    anchors_checked: int = 0
    broken: Break | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "checked": self.checked,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "head_seq": self.head_seq,
            "anchors_checked": self.anchors_checked,
            "broken": self.broken.as_json() if self.broken else None,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.checked / self.seconds) if self.seconds > 0 else None,
        }


@dataclass
class _Scope:
    start: int
    end: int
    prev: str | None
    whole: bool
    notes: list[str] = field(default_factory=list)


async def verify_chain(
    sessions: async_sessionmaker[AsyncSession],
    from_seq: int | None = None,
    to_seq: int | None = None,
    *,
    secret: str | None = None,
    chunk: int = CHUNK,
) -> VerifyReport:
    """Verify records `from_seq`..`to_seq` (default: the whole log after the last prune checkpoint)."""
    began = time.perf_counter()
    async with sessions() as session:
        head_seq, head_hash = await audit_repo.head(session)
        scope = await _scope(session, from_seq, to_seq, head_seq)
        anchor_list = [a for a in await audit_repo.anchors(session) if a.seq >= scope.start - 1]
        checker = ChainChecker(scope.start, scope.prev)
        broken = _bad_signature(anchor_list, secret)
        if broken is None:
            broken = await _walk(session, checker, scope, _by_seq(anchor_list), chunk)
        if broken is None:
            broken = _tail(checker, scope, head_seq, head_hash, anchor_list)
    last = checker.expected_seq - 1 if checker.checked else None
    return VerifyReport(
        valid=broken is None,
        checked=checker.checked,
        first_seq=scope.start if checker.checked else None,
        last_seq=last,
        head_seq=head_seq,
        seconds=time.perf_counter() - began,
        anchors_checked=sum(1 for a in anchor_list if a.seq <= scope.end),
        broken=broken,
        notes=scope.notes,
    )


async def seq_range_of_times(
    sessions: async_sessionmaker[AsyncSession], start: datetime | None, end: datetime | None
) -> tuple[int | None, int | None]:
    async with sessions() as session:
        return await audit_repo.seq_bounds(session, start, end)


async def _scope(session: AsyncSession, from_seq: int | None, to_seq: int | None, head_seq: int) -> _Scope:
    checkpoint = await audit_repo.latest_checkpoint(session)
    first_kept = checkpoint.seq + 1 if checkpoint else 1
    end = head_seq if to_seq is None else min(to_seq, head_seq)
    whole = to_seq is None
    if from_seq is None or from_seq <= first_kept:
        prev = checkpoint.hash if checkpoint else GENESIS
        return _Scope(first_kept, end, prev, whole)
    before = await audit_repo.hash_at(session, from_seq - 1)
    notes: list[str] = [] if before else [f"record {from_seq - 1} is gone: the link into {from_seq} is unchecked"]
    return _Scope(from_seq, end, before, whole, notes)


async def _walk(
    session: AsyncSession,
    checker: ChainChecker,
    scope: _Scope,
    anchors: Mapping[int, Sequence[AuditAnchor]],
    chunk: int,
) -> Break | None:
    next_seq = scope.start
    while next_seq <= scope.end:
        rows = await audit_repo.records_from(session, next_seq, scope.end, chunk)
        if not rows:
            return None
        for row in rows:
            problem = checker.feed(row)
            if isinstance(problem, LinkProblem):
                return classify(problem, await audit_repo.seq_of_hash(session, problem.claimed_prev))
            if problem is not None:
                return problem
            for anchor in anchors.get(row["seq"], ()):
                if anchor.hash != row["hash"]:
                    return Break(row["seq"], "anchor_mismatch", f"anchor {anchor.id} ({anchor.kind}) names another hash")
        next_seq = int(rows[-1]["seq"]) + 1
    return None


def _tail(
    checker: ChainChecker, scope: _Scope, head_seq: int, head_hash: str, anchors: Sequence[AuditAnchor]
) -> Break | None:
    """The records end where the head and every anchor say they should."""
    reached = checker.expected_seq - 1
    if reached < scope.end:
        return Break(reached + 1, "truncated", f"the chain head says {head_seq} records; the log ends at {reached}")
    if scope.whole and scope.end == head_seq and checker.checked and checker.expected_prev != head_hash:
        return Break(head_seq, "altered", "the last record's hash differs from the chain head")
    beyond = [a for a in anchors if a.seq > head_seq]
    if scope.whole and beyond:
        anchor = anchor_json(beyond[-1])
        return Break(head_seq + 1, "truncated", f"an anchor names record {anchor['seq']}; the log ends at {head_seq}")
    return None


def _bad_signature(anchors: Sequence[AuditAnchor], secret: str | None) -> Break | None:
    if secret is None:
        return None
    for anchor in anchors:
        if not signature_valid(secret, anchor):
            return Break(anchor.seq, "anchor_mismatch", f"anchor {anchor.id} ({anchor.kind}) is not signed by this key")
    return None


def _by_seq(anchors: Sequence[AuditAnchor]) -> dict[int, list[AuditAnchor]]:
    found: dict[int, list[AuditAnchor]] = {}
    for anchor in anchors:
        found.setdefault(anchor.seq, []).append(anchor)
    return found
