from __future__ import annotations

from gateway.cache.backends.memory import MemoryEntryStore, MemoryStatsStore
from tests.unit.cache.fakes import Clock


async def test_entry_expires_after_its_ttl() -> None:
    clock = Clock()
    store = MemoryEntryStore(10, clock=clock)
    await store.put("t", "k", b"v", 5)
    clock.now += 5.1
    assert await store.get("t", "k") is None


async def test_least_recently_used_entry_goes_when_full() -> None:
    store = MemoryEntryStore(2)
    await store.put("t", "a", b"1", 60)
    await store.put("t", "b", b"2", 60)
    await store.get("t", "a")
    await store.put("t", "c", b"3", 60)
    assert await store.get("t", "b") is None and await store.get("t", "a") == b"1"


async def test_entries_are_counted_per_tenant() -> None:
    store = MemoryEntryStore(10)
    for tenant, key in [("t1", "a"), ("t1", "b"), ("t2", "a")]:
        await store.put(tenant, key, b"v", 60)
    assert await store.entries() == {"t1": 2, "t2": 1}


async def test_stats_add_up() -> None:
    stats = MemoryStatsStore()
    await stats.add("t", "m", {"misses": 1})
    await stats.add("t", "m", {"misses": 2, "hits_exact": 1})
    assert await stats.read() == {"t": {"m": {"misses": 3, "hits_exact": 1}}}
