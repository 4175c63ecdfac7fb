"""Builds the cache stage from settings: in-process storage by default, Redis when the gateway has one."""

from __future__ import annotations

from typing import Any

from gateway.cache.backends.memory import MemoryEntryStore, MemoryStatsStore
from gateway.cache.embeddings import build_embedder
from gateway.cache.semantic import SemanticCache
from gateway.cache.stage import CacheConfig, ResponseCache
from gateway.cache.stats import CacheStats
from gateway.catalog import Catalog
from gateway.settings import Settings


def build_cache(settings: Settings, catalog: Catalog, redis: Any | None) -> ResponseCache:
    """The response cache; `redis` is the gateway's shared `redis.asyncio` client, None for in-process state."""
    config = CacheConfig(
        default_mode=settings.cache_default_mode,
        ttl_seconds=settings.cache_ttl_seconds,
        max_temperature=settings.cache_max_temperature,
        max_entry_bytes=settings.cache_max_entry_bytes,
    )
    key = settings.cache_embeddings_api_key
    embedder = build_embedder(
        settings.cache_embeddings,
        settings.cache_embeddings_url,
        settings.cache_embeddings_model,
        key.get_secret_value() if key is not None else None,
        settings.cache_embeddings_dim,
    )
    if redis is None:
        entries: Any = MemoryEntryStore(settings.cache_max_entries)
        stats: Any = MemoryStatsStore()
        vector_log = None
    else:
        from gateway.cache.backends.redis import RedisEntryStore, RedisStatsStore, RedisVectorLog

        entries = RedisEntryStore(redis, settings.cache_max_entries)
        stats = RedisStatsStore(redis)
        vector_log = RedisVectorLog(redis, settings.cache_semantic_max_vectors)
    semantic = None
    if embedder is not None:
        semantic = SemanticCache(
            embedder, settings.cache_semantic_threshold, settings.cache_semantic_max_vectors, vector_log
        )
    # Shared counters are written twice a second, not per request; in-process ones at once.
    counter = CacheStats(stats, flush_seconds=0.0 if redis is None else 0.5)
    return ResponseCache(entries, counter, catalog, config, semantic)
