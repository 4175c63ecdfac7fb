"""Hit rate and false hits on a replayed FAQ workload, through the cache stage with the real embedding model.

The canonical questions (English and German) are asked first and stored; then every paraphrase is asked (a hit
is right when it returns the answer of its own question, a false hit when it returns another question's), then
every question of `DIFFERENT` (any hit is a false hit). Repeated for several thresholds, on fresh caches.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench.cache.faq import DIFFERENT, FAQ
from gateway.cache.backends.memory import MemoryEntryStore, MemoryStatsStore
from gateway.cache.embeddings import Embedder, LocalEmbedder
from gateway.cache.semantic import SemanticCache
from gateway.cache.stage import CacheConfig, ResponseCache
from gateway.cache.stats import CacheStats
from gateway.catalog import load_catalog
from gateway.types import ChatRequest, ChatResponse, Message, Usage

TARGETS = ["gpt-4o-mini"]
SYSTEM = "You are the support assistant of an online shop."


def _ask(text: str) -> ChatRequest:
    messages = [Message(role="system", content=SYSTEM), Message(role="user", content=text)]
    return ChatRequest(model="gpt-4o-mini", messages=messages, temperature=0)


async def _answer(cache: ResponseCache, text: str) -> str | None:
    found = await cache.lookup("tenant", "exact+semantic", _ask(text), TARGETS)
    return found.answer.content if found.answer is not None else None


async def _one_threshold(embedder: Embedder, threshold: float) -> dict[str, Any]:
    semantic = SemanticCache(embedder, threshold, 100_000)
    cache = ResponseCache(
        MemoryEntryStore(10_000), CacheStats(MemoryStatsStore()), load_catalog(None), CacheConfig(), semantic
    )
    for intent, (english, german, _) in FAQ.items():
        for question in (english, german):
            found = await cache.lookup("tenant", "exact+semantic", _ask(question), TARGETS)
            reply = ChatResponse(
                id="x",
                model="gpt-4o-mini",
                content=intent,
                usage=Usage(prompt_tokens=40, completion_tokens=80),
            )
            cache.store(found, reply, "gpt-4o-mini")
            await cache.drain()
    counts = {"paraphrases": 0, "right_hits": 0, "wrong_hits": 0, "different": 0, "false_hits_different": 0}
    per_language = {"en": [0, 0], "de": [0, 0]}  # [asked, right hits]
    for intent, (_, _, paraphrases) in FAQ.items():
        for position, question in enumerate(paraphrases):
            got = await _answer(cache, question)
            language = "en" if position < 2 else "de"
            counts["paraphrases"] += 1
            per_language[language][0] += 1
            if got == intent:
                counts["right_hits"] += 1
                per_language[language][1] += 1
            elif got is not None:
                counts["wrong_hits"] += 1
    for question in DIFFERENT:
        counts["different"] += 1
        if await _answer(cache, question) is not None:
            counts["false_hits_different"] += 1
    semantic_lookups = counts["paraphrases"] + counts["different"]
    false_hits = counts["wrong_hits"] + counts["false_hits_different"]
    return {
        "threshold": threshold,
        **counts,
        "paraphrase_hit_rate": round(counts["right_hits"] / counts["paraphrases"], 3),
        "paraphrase_hit_rate_en": round(per_language["en"][1] / per_language["en"][0], 3),
        "paraphrase_hit_rate_de": round(per_language["de"][1] / per_language["de"][0], 3),
        "false_hit_rate": round(false_hits / semantic_lookups, 3),
        "false_hits": false_hits,
    }


async def _run(thresholds: list[float]) -> list[dict[str, Any]]:
    embedder = LocalEmbedder()
    return [await _one_threshold(embedder, threshold) for threshold in thresholds]


def run(thresholds: list[float]) -> list[dict[str, Any]] | None:
    if not LocalEmbedder.available():
        return None
    return asyncio.run(_run(thresholds))
