from __future__ import annotations

import numpy as np
import pytest

from gateway.cache import vector_index
from gateway.cache.hnsw_bucket import HnswBucket
from gateway.cache.vector_index import HNSW_AVAILABLE, VectorIndex


def _unit(*values: float) -> np.ndarray:  # type: ignore[type-arg]
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_search_returns_the_nearest_first() -> None:
    index = VectorIndex(2, 100)
    index.add("t", "b", "far", _unit(0, 1), 100, 0)
    index.add("t", "b", "near", _unit(1, 0.1), 100, 0)
    assert [key for _, key in index.search("t", "b", _unit(1, 0), 0, 0.0)] == ["near", "far"]


def test_search_drops_matches_below_threshold() -> None:
    index = VectorIndex(2, 100)
    index.add("t", "b", "far", _unit(0, 1), 100, 0)
    assert index.search("t", "b", _unit(1, 0), 0, 0.5) == []


def test_search_never_crosses_tenants() -> None:
    index = VectorIndex(2, 100)
    index.add("t1", "b", "k", _unit(1, 0), 100, 0)
    assert index.search("t2", "b", _unit(1, 0), 0, 0.5) == []


def test_expired_vector_is_not_returned() -> None:
    index = VectorIndex(2, 100)
    index.add("t", "b", "k", _unit(1, 0), 10, 0)
    assert index.search("t", "b", _unit(1, 0), 11, 0.5) == []


def test_full_bucket_drops_its_oldest_vectors() -> None:
    index = VectorIndex(2, 10)
    for i in range(25):
        index.add("t", "b", f"k{i}", _unit(1, i / 25), 100, 0)
    keys = {key for _, key in index.search("t", "b", _unit(1, 0), 0, 0.0, k=50)}
    assert len(index) <= 10 and "k24" in keys and "k0" not in keys


def test_clear_of_a_tenant_keeps_the_others() -> None:
    index = VectorIndex(2, 10)
    index.add("t1", "b", "k", _unit(1, 0), 100, 0)
    index.add("t2", "b", "k", _unit(1, 0), 100, 0)
    index.clear("t1")
    assert index.search("t1", "b", _unit(1, 0), 0, 0.5) == [] and len(index) == 1


@pytest.mark.skipif(not HNSW_AVAILABLE, reason="hnswlib (the [semantic] extra) is not installed")
def test_grown_bucket_moves_to_hnsw_and_still_finds_the_nearest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vector_index, "BRUTE_FORCE_MAX", 8)
    index = VectorIndex(2, 100, use_hnsw=True)
    for i in range(20):
        index.add("t", "b", f"k{i}", _unit(1, i), 100, 0)
    assert index.search("t", "b", _unit(1, 19), 0, 0.99)[0][1] == "k19"
    assert isinstance(index._buckets[("t", "b")], HnswBucket)


@pytest.mark.skipif(not HNSW_AVAILABLE, reason="hnswlib (the [semantic] extra) is not installed")
def test_hnsw_bucket_skips_expired_and_removed_vectors() -> None:
    bucket = HnswBucket(2)
    bucket.add("old", _unit(1, 0), 10)
    bucket.add("gone", _unit(1, 0.01), 100)
    bucket.add("kept", _unit(1, 0.02), 100)
    bucket.remove("gone")
    assert [key for _, key in bucket.search(_unit(1, 0), 11, 0.5, 4)] == ["kept"]
