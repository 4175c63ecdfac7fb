"""An approximate (HNSW) bucket for the vector index, used when `hnswlib` is installed (the `[semantic]` extra):
brute force reads every vector of a bucket per lookup, which at 100k vectors of 384 floats is ~150 MB of memory
traffic (~30 ms here); HNSW answers in well under a millisecond at that size (bench/results/cache.md).

Same interface as the brute-force `_Bucket`. Slots of expired and removed vectors are marked deleted and reused
by later adds; the index grows by doubling.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gateway.cache.backends.base import Vector

_EF_SEARCH = 128
_EF_CONSTRUCTION = 100
_LINKS = 16


class HnswBucket:
    def __init__(self, dim: int, capacity: int = 1024) -> None:
        import hnswlib  # type: ignore[import-untyped,import-not-found,unused-ignore]  # optional extra

        self.dim = dim
        self._index: Any = hnswlib.Index(space="ip", dim=dim)  # inner product = cosine on unit vectors
        self._index.init_index(
            max_elements=capacity, ef_construction=_EF_CONSTRUCTION, M=_LINKS, allow_replace_deleted=True
        )
        self._index.set_ef(_EF_SEARCH)
        self.rows: dict[str, int] = {}  # key -> label
        self._keys: dict[int, str] = {}
        self._expires: dict[int, float] = {}
        self._next = 0
        self._deleted = 0

    @property
    def size(self) -> int:
        return len(self.rows)

    def add(self, key: str, vector: Vector, expires_at: float) -> None:
        label = self.rows.get(key)
        if label is None:
            label = self._next
            self._next += 1
            self.rows[key], self._keys[label] = label, key
            if self._deleted:
                self._deleted -= 1
            elif self._index.get_current_count() >= self._index.get_max_elements():
                self._index.resize_index(self._index.get_max_elements() * 2)
        self._index.add_items(vector.reshape(1, -1), np.array([label]), replace_deleted=True)
        self._expires[label] = expires_at

    def add_many(self, keys: list[str], vectors: Vector, expires: list[float]) -> None:
        """Bulk insert of new keys (hnswlib adds a batch on several threads)."""
        labels = np.arange(self._next, self._next + len(keys))
        self._next += len(keys)
        if self._index.get_current_count() + len(keys) > self._index.get_max_elements():
            self._index.resize_index(2 * (self._index.get_current_count() + len(keys)))
        self._index.add_items(vectors, labels)
        for label, key, expires_at in zip(labels.tolist(), keys, expires, strict=True):
            self.rows[key], self._keys[label], self._expires[label] = label, key, expires_at

    def remove(self, key: str) -> None:
        label = self.rows.pop(key, None)
        if label is None:
            return
        del self._keys[label], self._expires[label]
        self._index.mark_deleted(label)
        self._deleted += 1

    def search(self, query: Vector, now: float, threshold: float, k: int) -> list[tuple[float, str]]:
        if not self.rows:
            return []
        labels, distances = self._index.knn_query(query.reshape(1, -1), k=min(k, len(self.rows)))
        found = []
        for label, distance in zip(labels[0], distances[0], strict=True):
            key = self._keys.get(int(label))
            if key is None:
                continue
            if self._expires[int(label)] <= now:
                self.remove(key)
                continue
            if 1.0 - float(distance) >= threshold:
                found.append((1.0 - float(distance), key))
        return sorted(found, reverse=True)

    def compact(self, now: float, max_rows: int) -> None:
        """Delete expired vectors; past `max_rows`, also the oldest (labels grow with insertion order)."""
        for label, expires in list(self._expires.items()):
            if expires <= now:
                self.remove(self._keys[label])
        for label in sorted(self._keys)[: max(0, len(self.rows) - max_rows)]:
            self.remove(self._keys[label])
