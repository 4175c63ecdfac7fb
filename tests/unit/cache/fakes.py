"""Test doubles for the cache: a deterministic bag-of-words embedder and a ready-made memory-backed cache."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np

from gateway.cache.backends.base import Vector
from gateway.cache.backends.memory import MemoryEntryStore, MemoryStatsStore
from gateway.cache.semantic import SemanticCache
from gateway.cache.stage import CacheConfig, ResponseCache
from gateway.cache.stats import CacheStats
from gateway.catalog import load_catalog
from gateway.types import ChatRequest, ChatResponse, Message, Usage

DIM = 64


class WordsEmbedder:
    """Each word adds 1 to a hashed dimension: questions sharing most words are close, others far."""

    name = "words"
    dim = DIM

    def __init__(self) -> None:
        self.calls = 0

    async def embed(self, text: str) -> Vector:
        self.calls += 1
        vector = np.zeros(DIM, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIM] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_cache(clock: Clock | None = None, semantic: bool = True, **config: Any) -> ResponseCache:
    clock = clock or Clock()
    entries = MemoryEntryStore(1000, clock=clock)
    sem = SemanticCache(WordsEmbedder(), 0.85, 1000, clock=clock) if semantic else None
    return ResponseCache(
        entries, CacheStats(MemoryStatsStore()), load_catalog(None), CacheConfig(**config), sem, clock
    )


def ask(text: str, model: str = "gpt-4o-mini", **fields: Any) -> ChatRequest:
    fields.setdefault("temperature", 0.0)
    return ChatRequest(model=model, messages=[Message(role="user", content=text)], **fields)


def answer(text: str = "Forty-two.", finish: str = "stop") -> ChatResponse:
    return ChatResponse(
        id="chatcmpl-x",
        model="gpt-4o-mini",
        content=text,
        finish_reason=finish,  # type: ignore[arg-type]
        usage=Usage(prompt_tokens=10, completion_tokens=5),
    )
