"""Cache storage in Redis: every gateway instance on one Redis shares entries, vectors and counters.

Keys (the `{tenant}` hash tag keeps one tenant's keys in one Redis Cluster slot):
    gwc:{tenant}:e:<sha256>     the encoded answer, with a TTL (PX)
    gwc:{tenant}:idx            sorted set of the tenant's entry keys by expiry: counting, per-tenant cap, clear
    gwc:stats:<tenant>          hash of counters, field `<model>\x1f<counter>`
    gwc:vlog                    stream of semantic index changes (vectors added, clears), replayed by instances

Redis' own `maxmemory` (with an `allkeys-lru` policy) is the operator's global bound; on top, each tenant holds
at most `max_entries` entries (oldest expiry evicted first) and entries above the size cap are never written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import redis.asyncio as aioredis

from gateway.cache.backends.base import VectorEvent
from gateway.store.state.redis_backend import map_redis_errors

PREFIX = "gwc:"
VLOG = PREFIX + "vlog"
_SEP = "\x1f"

# KEYS: entry, index. ARGV: blob, ttl ms, max entries per tenant.
_PUT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if over > 0 then
  local old = redis.call('ZPOPMIN', KEYS[2], over)
  for i = 1, #old, 2 do redis.call('DEL', old[i]) end
end
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], tonumber(last[2]))
return 1
"""

# KEYS: index. Deletes every entry the index names, then the index.
_CLEAR = """
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
for i = 1, #members do redis.call('DEL', members[i]) end
redis.call('DEL', KEYS[1])
return #members
"""

# KEYS: index. Live entries (not yet expired).
_COUNT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
"""


def _entry_key(tenant_id: str, key: str) -> str:
    return f"{PREFIX}{{{tenant_id}}}:e:{key}"


def _index_key(tenant_id: str) -> str:
    return f"{PREFIX}{{{tenant_id}}}:idx"


class RedisEntryStore:
    def __init__(self, client: aioredis.Redis, max_entries_per_tenant: int) -> None:
        self._client = client
        self._max = max_entries_per_tenant
        self._put = client.register_script(_PUT)
        self._clear = client.register_script(_CLEAR)
        self._count = client.register_script(_COUNT)

    async def get(self, tenant_id: str, key: str) -> bytes | None:
        with map_redis_errors():
            value: Any = await self._client.get(_entry_key(tenant_id, key))
        return bytes(value) if value is not None else None

    async def put(self, tenant_id: str, key: str, blob: bytes, ttl_seconds: float) -> None:
        ttl_ms = max(1, int(ttl_seconds * 1000))
        with map_redis_errors():
            await self._put(
                keys=[_entry_key(tenant_id, key), _index_key(tenant_id)], args=[blob, ttl_ms, self._max]
            )

    async def clear(self, tenant_id: str | None) -> int:
        tenants = [tenant_id] if tenant_id is not None else await self._tenants()
        deleted = 0
        with map_redis_errors():
            for tenant in tenants:
                deleted += int(await self._clear(keys=[_index_key(tenant)]))
        return deleted

    async def entries(self) -> dict[str, int]:
        out = {}
        with map_redis_errors():
            for tenant in await self._tenants():
                count = int(await self._count(keys=[_index_key(tenant)]))
                if count:
                    out[tenant] = count
        return out

    async def _tenants(self) -> list[str]:
        """Tenants with an index (SCAN: an admin-path operation, never on the request path)."""
        tenants = []
        with map_redis_errors():
            async for raw in self._client.scan_iter(match=PREFIX + "{*}:idx", count=1000):
                name = raw.decode() if isinstance(raw, bytes) else str(raw)
                tenants.append(name[len(PREFIX) + 1 : name.rindex("}")])
        return tenants


class RedisStatsStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client

    async def add(self, tenant_id: str, model: str, counts: Mapping[str, int]) -> None:
        key = f"{PREFIX}stats:{tenant_id}"
        with map_redis_errors():
            async with self._client.pipeline(transaction=False) as pipe:
                for name, amount in counts.items():
                    if amount:
                        pipe.hincrby(key, f"{model}{_SEP}{name}", amount)
                await pipe.execute()

    async def read(self) -> dict[str, dict[str, dict[str, int]]]:
        out: dict[str, dict[str, dict[str, int]]] = {}
        with map_redis_errors():
            async for raw in self._client.scan_iter(match=PREFIX + "stats:*", count=1000):
                key = raw.decode() if isinstance(raw, bytes) else str(raw)
                tenant = key[len(PREFIX) + len("stats:") :]
                for field, value in (await self._client.hgetall(key)).items():
                    model, _, name = _text(field).rpartition(_SEP)
                    out.setdefault(tenant, {}).setdefault(model, {})[name] = int(value)
        return out


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisVectorLog:
    """The semantic index's change log as a Redis stream, trimmed to about `max_events` entries.

    Every instance keeps its own in-memory index and replays new events before each semantic lookup (one XREAD,
    empty most of the time). A new instance replays the whole stream on its first lookup.
    """

    def __init__(self, client: aioredis.Redis, max_events: int, read_batch: int = 5000) -> None:
        self._client = client
        self._max = max_events
        self._batch = read_batch
        self._last = "0-0"

    async def append(self, event: VectorEvent) -> None:
        fields: dict[str, Any] = {"op": event.op, "t": event.tenant_id or "*"}
        if event.op == "add":
            assert event.vector is not None  # nosec B101 # type narrowing: an `add` event carries its vector
            fields |= {
                "b": event.bucket,
                "k": event.key,
                "x": repr(event.expires_at),
                "v": event.vector.astype(np.float32).tobytes(),
            }
        with map_redis_errors():
            if event.op == "clear" and event.tenant_id is None:
                await self._client.xtrim(VLOG, maxlen=0)  # nothing before a global clear is needed again
            await self._client.xadd(VLOG, fields, maxlen=self._max, approximate=True)  # type: ignore[arg-type]

    async def read_new(self) -> list[VectorEvent]:
        events: list[VectorEvent] = []
        with map_redis_errors():
            while True:
                reply: Any = await self._client.xread({VLOG: self._last}, count=self._batch)
                if not reply:
                    return events
                batch = reply[0][1]
                for message_id, fields in batch:
                    self._last = _text(message_id)
                    events.append(_event(fields))
                if len(batch) < self._batch:
                    return events


def _event(fields: Mapping[Any, Any]) -> VectorEvent:
    data = {_text(k): v for k, v in fields.items()}
    tenant = _text(data["t"])
    tenant_id = None if tenant == "*" else tenant
    if _text(data["op"]) != "add":
        return VectorEvent("clear", tenant_id)
    return VectorEvent(
        "add",
        tenant_id,
        bucket=_text(data["b"]),
        key=_text(data["k"]),
        vector=np.frombuffer(data["v"], dtype=np.float32),
        expires_at=float(_text(data["x"])),
    )
