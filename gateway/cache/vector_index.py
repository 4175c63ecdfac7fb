"""An in-memory nearest-neighbour index of prompt vectors, one bucket per (tenant, bucket hash).

A lookup only ever searches one bucket (same tenant, model, parameters, tools and context). Vectors are unit
length, so cosine similarity is an inner product. Small buckets are searched by brute force (one matrix-vector
product: exact, and under a millisecond at 10k vectors); a bucket that grows past `BRUTE_FORCE_MAX` moves to
an HNSW graph when `hnswlib` is installed, because brute force reads the whole matrix per lookup (about 30 ms
at 100k x 384 floats here). Numbers: bench/results/cache.md.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from gateway.cache.backends.base import Vector
from gateway.cache.hnsw_bucket import HnswBucket

_GROW = 2
BRUTE_FORCE_MAX = 8192
HNSW_AVAILABLE = importlib.util.find_spec("hnswlib") is not None


class Bucket(Protocol):
    rows: dict[str, int]

    @property
    def size(self) -> int: ...

    def add(self, key: str, vector: Vector, expires_at: float) -> None: ...

    def remove(self, key: str) -> None: ...

    def search(self, query: Vector, now: float, threshold: float, k: int) -> list[tuple[float, str]]: ...

    def compact(self, now: float, max_rows: int) -> None: ...


@dataclass
class _Bucket:
    dim: int
    vectors: Vector = field(init=False)
    keys: list[str] = field(default_factory=list)
    expires: npt.NDArray[np.float64] = field(init=False)
    rows: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.vectors = np.zeros((16, self.dim), dtype=np.float32)
        self.expires = np.zeros(16, dtype=np.float64)

    @property
    def size(self) -> int:
        return len(self.keys)

    def add(self, key: str, vector: Vector, expires_at: float) -> None:
        row = self.rows.get(key)
        if row is None:
            row = self.size
            if row == len(self.vectors):
                self._grow()
            self.keys.append(key)
            self.rows[key] = row
        self.vectors[row] = vector
        self.expires[row] = expires_at

    def _grow(self) -> None:
        capacity = len(self.vectors) * _GROW
        vectors = np.zeros((capacity, self.dim), dtype=np.float32)
        vectors[: self.size] = self.vectors[: self.size]
        expires = np.zeros(capacity, dtype=np.float64)
        expires[: self.size] = self.expires[: self.size]
        self.vectors, self.expires = vectors, expires

    def remove(self, key: str) -> None:
        row = self.rows.get(key)
        if row is not None:
            self.expires[row] = 0.0  # a dead row: never returned, dropped at the next compaction

    def search(self, query: Vector, now: float, threshold: float, k: int) -> list[tuple[float, str]]:
        n = self.size
        if n == 0:
            return []
        scores = self.vectors[:n] @ query
        scores[self.expires[:n] <= now] = -np.inf
        if n > k:
            top = np.argpartition(scores, -k)[-k:]
        else:
            top = np.arange(n)
        found = [(float(scores[i]), self.keys[i]) for i in top if scores[i] >= threshold]
        return sorted(found, reverse=True)

    def compact(self, now: float, max_rows: int) -> None:
        """Drop dead and expired rows; past `max_rows`, also the oldest ones (rows are in insertion order)."""
        n = self.size
        live = np.flatnonzero(self.expires[:n] > now)
        if len(live) > max_rows:
            live = live[-max_rows:]
        if len(live) == n:
            return
        keys = [self.keys[i] for i in live]
        capacity = max(16, len(live) * _GROW)
        vectors = np.zeros((capacity, self.dim), dtype=np.float32)
        vectors[: len(live)] = self.vectors[live]
        expires = np.zeros(capacity, dtype=np.float64)
        expires[: len(live)] = self.expires[live]
        self.vectors, self.expires, self.keys = vectors, expires, keys
        self.rows = {key: row for row, key in enumerate(keys)}


class VectorIndex:
    """Buckets of vectors keyed by (tenant id, bucket hash): a search never crosses tenants or buckets."""

    def __init__(self, dim: int, max_per_bucket: int, *, use_hnsw: bool = HNSW_AVAILABLE) -> None:
        self._dim = dim
        self._max = max_per_bucket
        self._use_hnsw = use_hnsw
        self._buckets: dict[tuple[str, str], Bucket] = {}

    def __len__(self) -> int:
        return sum(b.size for b in self._buckets.values())

    def add(
        self, tenant_id: str, bucket: str, key: str, vector: Vector, expires_at: float, now: float
    ) -> None:
        if vector.shape != (self._dim,):
            return  # a vector of another model (the embedder changed): unusable, skipped
        found = self._buckets.setdefault((tenant_id, bucket), _Bucket(self._dim))
        if found.size >= self._max and key not in found.rows:
            found.compact(now, self._max - max(1, self._max // 10))  # amortised: drop 10 % at once
        if self._use_hnsw and isinstance(found, _Bucket) and found.size >= BRUTE_FORCE_MAX:
            found = self._buckets[(tenant_id, bucket)] = _to_hnsw(found, now)
        found.add(key, vector, expires_at)

    def search(
        self, tenant_id: str, bucket: str, query: Vector, now: float, threshold: float, k: int = 4
    ) -> list[tuple[float, str]]:
        """Up to `k` (similarity, key) pairs at or above `threshold`, best first, live entries only."""
        found = self._buckets.get((tenant_id, bucket))
        return [] if found is None else found.search(query, now, threshold, k)

    def remove(self, tenant_id: str, bucket: str, key: str) -> None:
        found = self._buckets.get((tenant_id, bucket))
        if found is not None:
            found.remove(key)

    def clear(self, tenant_id: str | None) -> None:
        if tenant_id is None:
            self._buckets.clear()
            return
        for bucket_key in [k for k in self._buckets if k[0] == tenant_id]:
            del self._buckets[bucket_key]


def _to_hnsw(brute: _Bucket, now: float) -> HnswBucket:
    """Move a grown bucket's live vectors into an HNSW graph (once per bucket, in insertion order)."""
    live = np.flatnonzero(brute.expires[: brute.size] > now)
    graph = HnswBucket(brute.dim, capacity=2 * max(16, len(live)))
    graph.add_many([brute.keys[i] for i in live], brute.vectors[live], brute.expires[live].tolist())
    return graph
