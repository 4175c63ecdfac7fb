"""The response cache on a real Redis: two gateway instances share entries, vectors and statistics."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from gateway.cache.backends.redis import RedisEntryStore, RedisStatsStore, RedisVectorLog
from gateway.cache.semantic import SemanticCache
from gateway.cache.stage import CacheConfig, ResponseCache
from gateway.cache.stats import CacheStats
from gateway.catalog import load_catalog
from gateway.settings import Settings
from tests.conftest import admin_headers, running_gateway
from tests.unit.cache.fakes import WordsEmbedder, answer, ask

CACHE_REDIS_URL = os.environ.get("TEST_CACHE_REDIS_URL", "redis://127.0.0.1:6379/11")
TARGETS = ["gpt-4o-mini"]


@pytest.fixture
async def client() -> AsyncIterator[aioredis.Redis]:
    redis = aioredis.Redis.from_url(CACHE_REDIS_URL)
    await redis.flushdb()
    yield redis
    await redis.aclose()


def _cache(redis: aioredis.Redis, max_entries: int = 100) -> ResponseCache:
    semantic = SemanticCache(WordsEmbedder(), 0.85, 1000, RedisVectorLog(redis, 10_000))
    stats = CacheStats(RedisStatsStore(redis))
    return ResponseCache(
        RedisEntryStore(redis, max_entries), stats, load_catalog(None), CacheConfig(), semantic
    )


async def _store(cache: ResponseCache, tenant: str, text: str) -> None:
    found = await cache.lookup(tenant, "exact+semantic", ask(text), TARGETS)
    cache.store(found, answer(), "gpt-4o-mini")
    await cache.drain()


async def test_paraphrase_hits_on_instance_b_for_an_entry_stored_by_a(client: aioredis.Redis) -> None:
    a, b = _cache(client), _cache(client)
    await _store(a, "t1", "how do I reset my password")
    found = await b.lookup("t1", "exact+semantic", ask("how do I reset my password please"), TARGETS)
    assert found.status == "hit-semantic"


async def test_semantic_never_crosses_tenants_across_instances(client: aioredis.Redis) -> None:
    a, b = _cache(client), _cache(client)
    await _store(a, "t1", "how do I reset my password")
    found = await b.lookup("t2", "exact+semantic", ask("how do I reset my password please"), TARGETS)
    assert found.status == "miss"


async def test_clear_on_a_reaches_the_index_of_b(client: aioredis.Redis) -> None:
    a, b = _cache(client), _cache(client)
    await _store(a, "t1", "how do I reset my password")
    await b.lookup("t1", "exact+semantic", ask("warm up the index of b"), TARGETS)
    await a.clear("t1")
    assert b.semantic is not None
    await b.semantic.nearest("t1", "-", await b.semantic.embedder.embed("x"))  # replays the clear
    assert len(b.semantic.index) == 0


async def test_entry_expires_in_redis(client: aioredis.Redis) -> None:
    store = RedisEntryStore(client, 10)
    await store.put("t1", "k", b"v", 0.05)
    await asyncio.sleep(0.15)
    assert await store.get("t1", "k") is None and await store.entries() == {}


async def test_each_tenant_keeps_at_most_its_cap(client: aioredis.Redis) -> None:
    store = RedisEntryStore(client, 3)
    for i in range(5):
        await store.put("t1", f"k{i}", b"v", 60 + i)
    assert await store.entries() == {"t1": 3} and await store.get("t1", "k0") is None


async def test_stats_of_two_instances_add_up(client: aioredis.Redis) -> None:
    a, b = _cache(client), _cache(client)
    await _store(a, "t1", "Q one")
    await b.lookup("t1", "exact+semantic", ask("Q one"), TARGETS)
    await b.drain()  # b writes its counts every 0.5 s; drain sends them now
    report = await a.report()
    assert (report["misses"], report["hits_exact"], report["entries"]) == (1, 1, 1)


async def _tenant_key(gateway: httpx.AsyncClient) -> dict[str, str]:
    tenant = (await gateway.post("/admin/tenants", json={"name": "shared"}, headers=admin_headers())).json()
    key = (
        await gateway.post("/admin/keys", json={"tenant_id": tenant["id"]}, headers=admin_headers())
    ).json()
    return {"authorization": f"Bearer {key['key']}"}


async def test_hit_on_gateway_b_for_an_answer_stored_by_gateway_a(
    client: aioredis.Redis, settings_factory: Callable[..., Settings]
) -> None:
    settings = settings_factory(redis_url=CACHE_REDIS_URL, cache_embeddings="off")
    body: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Hallo"}],
        "seed": 1,
    }
    async with running_gateway(settings) as gateway_a, running_gateway(settings) as gateway_b:
        auth = await _tenant_key(gateway_a)
        first = await gateway_a.post("/v1/chat/completions", json=body, headers=auth)
        await gateway_a.app.state.components.cache.drain()  # type: ignore[attr-defined]
        second = await gateway_b.post("/v1/chat/completions", json=body, headers=auth)
    assert (first.headers["x-gateway-cache"], second.headers["x-gateway-cache"]) == ("miss", "hit-exact")
    assert (
        second.json()["choices"][0]["message"]["content"] == first.json()["choices"][0]["message"]["content"]
    )
