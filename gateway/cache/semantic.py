"""The semantic cache: embed the scrubbed last user turn, search the same (tenant, bucket) for the nearest
cached question above the cosine threshold.

The bucket (gateway/cache/keys.py) already pins tenant, model and routing targets, parameters, tools, the
system prompt and every earlier turn, so only the wording of the last question can differ between a question
and the cached one it is answered from. The index only proposes keys: the answer is read from the entry store
and checked again, so an expired, evicted or deleted entry is never served (its vector is dropped then).

With Redis, vectors are shared through a stream (`RedisVectorLog`); each instance replays what is new into its
own in-memory index before a lookup.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from gateway.cache.backends.base import Vector, VectorEvent, VectorLog
from gateway.cache.embeddings import Embedder
from gateway.cache.vector_index import VectorIndex
from gateway.store.state.base import StateUnavailableError

log = logging.getLogger("gateway.cache")
Clock = Callable[[], float]


@dataclass(frozen=True)
class Neighbour:
    similarity: float
    key: str


class SemanticCache:
    def __init__(
        self,
        embedder: Embedder,
        threshold: float,
        max_per_bucket: int,
        vector_log: VectorLog | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.index = VectorIndex(embedder.dim, max_per_bucket)
        self._log = vector_log
        self._clock = clock

    async def embed(self, text: str) -> Vector | None:
        """The question's vector, or None when the embedder fails (the lookup then stays exact-only)."""
        try:
            return await self.embedder.embed(text)
        except Exception as exc:  # noqa: BLE001 - any embedder failure degrades to exact caching, logged
            log.warning("embedding failed; semantic lookup skipped", extra={"error": type(exc).__name__})
            return None

    async def nearest(self, tenant_id: str, bucket: str, vector: Vector) -> list[Neighbour]:
        """Cached questions of this tenant and bucket at or above the threshold, most similar first."""
        await self._sync()
        found = self.index.search(tenant_id, bucket, vector, self._clock(), self.threshold)
        return [Neighbour(similarity, key) for similarity, key in found]

    async def add(self, tenant_id: str, bucket: str, key: str, vector: Vector, ttl_seconds: float) -> None:
        now = self._clock()
        expires_at = now + ttl_seconds
        self.index.add(tenant_id, bucket, key, vector, expires_at, now)
        if self._log is not None:
            await self._log.append(VectorEvent("add", tenant_id, bucket, key, vector, expires_at))

    def forget(self, tenant_id: str, bucket: str, key: str) -> None:
        """Drop a proposal whose entry is gone (expired, evicted, deleted)."""
        self.index.remove(tenant_id, bucket, key)

    async def clear(self, tenant_id: str | None) -> None:
        self.index.clear(tenant_id)
        if self._log is not None:
            await self._log.append(VectorEvent("clear", tenant_id))

    async def _sync(self) -> None:
        if self._log is None:
            return
        try:
            events = await self._log.read_new()
        except StateUnavailableError:
            log.warning("semantic index sync failed; searching the local index as it is")
            return
        now = self._clock()
        for event in events:
            if event.op == "clear":
                self.index.clear(event.tenant_id)
            elif event.vector is not None and event.tenant_id is not None and event.expires_at > now:
                self.index.add(event.tenant_id, event.bucket, event.key, event.vector, event.expires_at, now)
