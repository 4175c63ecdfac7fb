"""Interfaces of the cache's storage. Two implementations: `memory` (the embedded default, one process) and
`redis` (many gateway instances share entries, vectors and counters). Both raise only `StateUnavailableError`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
STAT_FIELDS = ("hits_exact", "hits_semantic", "misses", "bypass", "tokens_saved", "eur_saved_micro")


class EntryStore(Protocol):
    """Exact entries: encoded answers under `(tenant, key)`, expiring after their TTL."""

    async def get(self, tenant_id: str, key: str) -> bytes | None:
        """The entry, or None when missing or expired."""
        ...

    async def put(self, tenant_id: str, key: str, blob: bytes, ttl_seconds: float) -> None:
        """Store (or replace) an entry."""
        ...

    async def clear(self, tenant_id: str | None) -> int:
        """Delete the tenant's entries, or every entry; returns how many were deleted."""
        ...

    async def entries(self) -> dict[str, int]:
        """Live entries per tenant id."""
        ...


@dataclass(frozen=True)
class VectorEvent:
    """One change of the semantic index: an added vector, or a clear (of one tenant, or all when None)."""

    op: str  # "add" | "clear"
    tenant_id: str | None
    bucket: str = ""
    key: str = ""
    vector: Vector | None = None
    expires_at: float = 0.0


class VectorLog(Protocol):
    """The shared, ordered log of index changes that every instance replays into its own in-memory index."""

    async def append(self, event: VectorEvent) -> None: ...

    async def read_new(self) -> list[VectorEvent]:
        """Events appended (by any instance) since this instance's last read; the whole log on first read."""
        ...


class StatsStore(Protocol):
    """Counters per tenant and model, shared by every instance."""

    async def add(self, tenant_id: str, model: str, counts: Mapping[str, int]) -> None: ...

    async def read(self) -> dict[str, dict[str, dict[str, int]]]:
        """tenant id -> model -> field -> count."""
        ...
