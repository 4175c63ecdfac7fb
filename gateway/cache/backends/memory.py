"""In-process cache storage: the embedded default for one gateway process.

Entries live in an LRU with a per-entry TTL (cachetools' `TLRUCache`): the least recently used entry goes when
`max_entries` is reached, an expired one is never returned. No method awaits, so no locks are needed.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping

from cachetools import TLRUCache

Clock = Callable[[], float]


class MemoryEntryStore:
    def __init__(self, max_entries: int, clock: Clock = time.monotonic) -> None:
        self._ttl: dict[tuple[str, str], float] = {}
        self._cache: TLRUCache[tuple[str, str], bytes] = TLRUCache(
            maxsize=max_entries, ttu=self._expiry, timer=clock
        )

    def _expiry(self, key: tuple[str, str], _value: bytes, now: float) -> float:
        return now + self._ttl.pop(key, 0.0)

    async def get(self, tenant_id: str, key: str) -> bytes | None:
        return self._cache.get((tenant_id, key))

    async def put(self, tenant_id: str, key: str, blob: bytes, ttl_seconds: float) -> None:
        self._ttl[(tenant_id, key)] = ttl_seconds  # read by `_expiry` while the item is inserted
        self._cache[(tenant_id, key)] = blob

    async def clear(self, tenant_id: str | None) -> int:
        self._cache.expire()
        doomed = [k for k in self._cache if tenant_id is None or k[0] == tenant_id]
        for key in doomed:
            del self._cache[key]
        return len(doomed)

    async def entries(self) -> dict[str, int]:
        self._cache.expire()
        return dict(Counter(tenant for tenant, _ in self._cache))


class MemoryStatsStore:
    def __init__(self) -> None:
        self._counts: defaultdict[str, defaultdict[str, Counter[str]]] = defaultdict(
            lambda: defaultdict(Counter)
        )

    async def add(self, tenant_id: str, model: str, counts: Mapping[str, int]) -> None:
        self._counts[tenant_id][model].update(counts)

    async def read(self) -> dict[str, dict[str, dict[str, int]]]:
        return {t: {m: dict(c) for m, c in models.items()} for t, models in self._counts.items()}
