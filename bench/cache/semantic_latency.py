"""Semantic lookup latency: the nearest-neighbour search in one (tenant, bucket) of N vectors (the worst case:
every entry in the bucket searched), and the embedding of a question with the local model."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np

from gateway.cache.embeddings import LocalEmbedder
from gateway.cache.vector_index import BRUTE_FORCE_MAX, HNSW_AVAILABLE, VectorIndex

DIM = 384


def _unit_rows(rng: np.random.Generator, n: int) -> np.ndarray:  # type: ignore[type-arg]
    rows = rng.standard_normal((n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def search_latency(entries: int, use_hnsw: bool, queries: int = 300, seed: int = 7) -> dict[str, Any]:
    """Lookups among `entries` vectors; queries are stored vectors plus noise, so the right answer is known
    and recall (the share of queries whose nearest hit is the one perturbed) is measured too."""
    rng = np.random.default_rng(seed)
    index = VectorIndex(DIM, max_per_bucket=entries + 1, use_hnsw=use_hnsw)
    rows = _unit_rows(rng, entries)
    started = time.perf_counter()
    for i, row in enumerate(rows):
        index.add("tenant", "bucket", f"k{i}", row, expires_at=1e12, now=0.0)
    build_s = time.perf_counter() - started
    targets = rng.integers(0, entries, queries)
    noisy = rows[targets] + 0.02 * rng.standard_normal((queries, DIM)).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    samples, found = [], 0
    for target, query in zip(targets, noisy, strict=True):
        started = time.perf_counter()
        best = index.search("tenant", "bucket", query, now=1.0, threshold=0.5)
        samples.append((time.perf_counter() - started) * 1000)
        found += bool(best) and best[0][1] == f"k{target}"
    ordered = sorted(samples)
    return {
        "entries": entries,
        "kind": "hnsw" if use_hnsw and entries >= BRUTE_FORCE_MAX else "brute force",
        "recall_at_1": round(found / queries, 3),
        "insert_s": round(build_s, 2),
        "p50_ms": round(ordered[len(ordered) // 2], 3),
        "p99_ms": round(ordered[int(0.99 * len(ordered))], 3),
        "index_mb": round(entries * DIM * 4 / 2**20, 1),
    }


def search_latencies() -> list[dict[str, Any]]:
    out = [search_latency(n, use_hnsw=False) for n in (1_000, 10_000, 100_000)]
    if HNSW_AVAILABLE:
        out += [search_latency(n, use_hnsw=True) for n in (10_000, 100_000)]
    return out


async def _embed_latency(count: int) -> dict[str, Any]:
    embedder = LocalEmbedder()
    await embedder.embed("warm up")
    samples = []
    for i in range(count):
        started = time.perf_counter()
        await embedder.embed(f"Wie lange dauert der Versand nach Österreich? Frage {i}")
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return {
        "model": embedder.name,
        "p50_ms": round(ordered[len(ordered) // 2], 3),
        "p99_ms": round(ordered[int(0.99 * len(ordered))], 3),
    }


def embed_latency(count: int = 100) -> dict[str, Any] | None:
    if not LocalEmbedder.available():
        return None
    return asyncio.run(_embed_latency(count))
