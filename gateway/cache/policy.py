"""Whether a request may be answered from, or stored in, the cache.

Only deterministic-enough requests are cached: `seed` set, or `temperature` at or below the configured threshold.
A request without `temperature` samples at the provider default (1.0 for OpenAI), so it is not cached: a cached
answer would take away the variety the caller asked for. Per tenant, `cache_mode` turns caching off or on
(`exact`, `exact+semantic`); per request the caller can opt out:

    Cache-Control: no-cache     do not answer from the cache, but store the fresh answer (a refresh)
    Cache-Control: no-store     neither answer from nor store into the cache
    "cache": false (body)       the same as no-store
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from gateway.types import ChatRequest

CacheMode = Literal["off", "exact", "exact+semantic"]
CACHE_MODES: tuple[str, ...] = get_args(CacheMode)
CacheStatus = Literal["hit-exact", "hit-semantic", "miss", "bypass"]
CACHEABLE_FINISH = ("stop", "length", "tool_calls")


@dataclass(frozen=True)
class CacheDecision:
    """What the cache may do for one request.

    Attributes:
        read: Look the request up (exact, and semantic when `semantic`).
        write: Store the fresh answer.
        semantic: The tenant's mode includes semantic lookups.
    """

    read: bool
    write: bool
    semantic: bool = False


BYPASS = CacheDecision(read=False, write=False)


def cache_control_flags(header: str | None) -> tuple[bool, bool]:
    """(no_cache, no_store) from a `Cache-Control` request header."""
    if not header:
        return False, False
    directives = {part.strip().lower().split("=", 1)[0] for part in header.split(",")}
    return "no-cache" in directives, "no-store" in directives


def decide(
    request: ChatRequest,
    mode: CacheMode,
    max_temperature: float,
    cache_control: str | None = None,
) -> CacheDecision:
    """The decision for `request` under the tenant's `mode`, the gateway's temperature threshold and the
    request's opt-outs."""
    if mode == "off" or request.cache is False:
        return BYPASS
    no_cache, no_store = cache_control_flags(cache_control)
    if no_store:
        return BYPASS
    deterministic = request.seed is not None or (
        request.temperature is not None and request.temperature <= max_temperature
    )
    if not deterministic:
        return BYPASS
    return CacheDecision(read=not no_cache, write=True, semantic=mode == "exact+semantic" and not no_cache)
