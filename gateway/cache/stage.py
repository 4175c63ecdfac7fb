"""The cache stage of the request path: `lookup` after routing, `store` (or `tap` for a stream) after dispatch.

Lookup runs after the planner on purpose: a tenant must still be allowed to use the model (allow-list,
residency) for a cached answer to be served, and the routing targets are part of the key. Any storage failure
degrades to a bypass, logged: the cache never fails a request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from gateway.cache import entry
from gateway.cache.backends.base import EntryStore, Vector
from gateway.cache.entry import CachedAnswer
from gateway.cache.keys import CacheKeys, cache_keys
from gateway.cache.policy import BYPASS, CACHEABLE_FINISH, CacheDecision, CacheMode, CacheStatus, decide
from gateway.cache.semantic import SemanticCache
from gateway.cache.stats import CacheStats
from gateway.catalog import Catalog
from gateway.store.state.base import StateUnavailableError
from gateway.streaming import StreamAccumulator
from gateway.types import ChatRequest, ChatResponse, StreamEvent

log = logging.getLogger("gateway.cache")
Clock = Callable[[], float]


@dataclass(frozen=True)
class CacheConfig:
    default_mode: CacheMode = "exact"
    ttl_seconds: float = 86400.0
    max_temperature: float = 0.3
    max_entry_bytes: int = 256 * 1024


@dataclass
class CacheLookup:
    """The cache's verdict on one request, carried to `store` when it missed."""

    status: CacheStatus
    decision: CacheDecision
    tenant_id: str
    keys: CacheKeys | None = None
    vector: Vector | None = None
    answer: CachedAnswer | None = None
    similarity: float | None = None

    @property
    def hit(self) -> Literal["exact", "semantic"] | None:
        if self.status == "hit-exact":
            return "exact"
        return "semantic" if self.status == "hit-semantic" else None

    @property
    def headers(self) -> dict[str, str]:
        return {"x-gateway-cache": self.status}


class ResponseCache:
    def __init__(
        self,
        entries: EntryStore,
        stats: CacheStats,
        catalog: Catalog,
        config: CacheConfig,
        semantic: SemanticCache | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.entries = entries
        self.stats = stats
        self.semantic = semantic
        self._catalog = catalog
        self._config = config
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    async def lookup(
        self,
        tenant_id: str,
        tenant_mode: str | None,
        request: ChatRequest,
        targets: Sequence[str],
        cache_control: str | None = None,
        *,
        count: bool = True,
    ) -> CacheLookup:
        """Find a cached answer for the scrubbed `request` routed to `targets` (candidate model names).
        `count=False` leaves the hit-rate statistics to a later `count` (the pipeline counts admitted requests)."""
        mode: CacheMode = tenant_mode or self._config.default_mode  # type: ignore[assignment]
        decision = decide(request, mode, self._config.max_temperature, cache_control)
        if not decision.write:
            found = CacheLookup("bypass", decision, tenant_id)
            return self.count(found, request.model) if count else found
        keys = cache_keys(tenant_id, request, targets)
        found = CacheLookup("bypass", decision, tenant_id, keys)
        if decision.read:
            try:
                await self._find(found, targets)
            except StateUnavailableError:
                log.warning("cache unavailable; request bypasses the cache")
                found = CacheLookup("bypass", BYPASS, tenant_id)
        return self.count(found, request.model) if count else found

    async def _find(self, found: CacheLookup, targets: Sequence[str]) -> None:
        keys = found.keys
        assert keys is not None  # nosec B101 # type narrowing: lookup() sets the keys before it calls _find
        found.status = "miss"
        answer = await self._read(found.tenant_id, keys.exact, targets, None)
        if answer is not None:
            found.status, found.answer = "hit-exact", answer
            return
        if not (found.decision.semantic and self.semantic and keys.bucket and keys.question):
            return
        found.vector = await self.semantic.embed(keys.question)
        if found.vector is None:
            return
        for neighbour in await self.semantic.nearest(found.tenant_id, keys.bucket, found.vector):
            answer = await self._read(found.tenant_id, neighbour.key, targets, keys.bucket)
            if answer is not None:
                found.status, found.answer, found.similarity = "hit-semantic", answer, neighbour.similarity
                return
            self.semantic.forget(found.tenant_id, keys.bucket, neighbour.key)

    async def _read(
        self, tenant_id: str, key: str, targets: Sequence[str], bucket: str | None
    ) -> CachedAnswer | None:
        blob = await self.entries.get(tenant_id, key)
        answer = entry.decode(blob) if blob is not None else None
        if answer is None or answer.tenant_id != tenant_id or answer.model not in targets:
            return None  # the tenant check repeats the key's isolation; a changed route makes it unusable
        if bucket is not None and answer.bucket != bucket:
            return None
        return answer

    def count(self, found: CacheLookup, model: str) -> CacheLookup:
        """Add a lookup's outcome to the hit-rate and savings statistics."""
        tokens, eur = 0, 0.0
        if found.answer is not None:
            tokens, eur = (
                found.answer.prompt_tokens + found.answer.completion_tokens,
                self.saved_eur(found.answer),
            )
        self.stats.count(found.tenant_id, model, found.status, tokens, eur)
        return found

    def saved_eur(self, answer: CachedAnswer) -> float:
        """What the cached answer cost when it was made, at today's list price and rate."""
        model = self._catalog.model(answer.model)
        if model is None:
            return 0.0
        price = model.price_usd_per_1m
        usd = (answer.prompt_tokens * price.input + answer.completion_tokens * price.output) / 1_000_000
        return usd * self._catalog.exchange_rate.eur_per_usd

    def store(self, found: CacheLookup, response: ChatResponse, model: str) -> None:
        """Store a fresh (still scrubbed) answer in the background. Call before the privacy stage restores it."""
        keys = found.keys
        if not found.decision.write or keys is None or found.hit is not None:
            return
        if response.finish_reason not in CACHEABLE_FINISH or not (response.content or response.tool_calls):
            return
        blob = entry.encode(entry.answer_of(response, model, found.tenant_id, keys.bucket, self._clock()))
        if len(blob) > self._config.max_entry_bytes:
            log.info("answer not cached: above the entry size cap", extra={"bytes": len(blob)})
            return
        self._spawn(self._put(found, keys, blob))

    async def _put(self, found: CacheLookup, keys: CacheKeys, blob: bytes) -> None:
        ttl = self._config.ttl_seconds
        try:
            await self.entries.put(found.tenant_id, keys.exact, blob, ttl)
            if self.semantic is not None and found.vector is not None and keys.bucket is not None:
                await self.semantic.add(found.tenant_id, keys.bucket, keys.exact, found.vector, ttl)
        except StateUnavailableError:
            log.warning("answer not cached: cache store unavailable")

    async def tap(
        self, found: CacheLookup, events: AsyncIterator[StreamEvent], model: str
    ) -> AsyncIterator[StreamEvent]:
        """Pass a (scrubbed) stream through; store its answer only when it ended cleanly."""
        if not found.decision.write or found.keys is None:
            async for event in events:
                yield event
            return
        accumulator = StreamAccumulator("", model, 0)
        async for event in events:
            accumulator.add(event)
            yield event
        self.store(found, accumulator.response(), model)

    async def clear(self, tenant_id: str | None) -> int:
        """Delete the tenant's entries (or all) on every instance; returns how many entries were deleted."""
        await self.drain()
        deleted = await self.entries.clear(tenant_id)
        if self.semantic is not None:
            await self.semantic.clear(tenant_id)
        return deleted

    async def report(self, tenant_id: str | None = None) -> dict[str, Any]:
        await self.drain()
        return await self.stats.report(self.entries, tenant_id)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for stores and counts still being written."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.stats.drain()
