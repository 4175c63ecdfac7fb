"""A bounded LRU cache of detection results, so that text seen again is not analysed again.

Multi-turn chats resend the whole history with every turn and system prompts repeat across requests,
so the same texts reach the analyzer again and again. The cache is keyed by a BLAKE2b digest of the
text and the requested types, and holds only the entities' offsets, types and scores: neither the text
nor any part of it is kept.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from gateway.privacy.entities import Entity

DEFAULT_MAX_ENTRIES = 4096
# Shorter texts are detected about as fast as they are hashed; longer ones rarely repeat and would
# make the hash itself costly.
MIN_TEXT_CHARS = 32
MAX_TEXT_CHARS = 64 * 1024
_DIGEST_BYTES = 16

CacheKey = tuple[bytes, frozenset[str] | None]


class ResultCache:
    """Detection results by text digest and types, the least recently used dropped first."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        """Create an empty cache.

        Args:
            max_entries: How many results to keep at most; 0 turns the cache off.
        """
        self._max_entries = max_entries
        self._entries: OrderedDict[CacheKey, tuple[Entity, ...]] = OrderedDict()
        self._lock = threading.Lock()  # get/put are several steps; the analyzer may be shared by threads

    def __len__(self) -> int:
        return len(self._entries)

    def key(self, text: str, types: frozenset[str] | None) -> CacheKey | None:
        """The key of ``text`` analysed for ``types``, or ``None`` when such a text is not cached."""
        if self._max_entries <= 0 or not MIN_TEXT_CHARS <= len(text) <= MAX_TEXT_CHARS:
            return None
        # "surrogatepass": JSON may carry lone surrogates; every str still gets its own byte string.
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_DIGEST_BYTES).digest()
        return digest, None if types is None else frozenset(types)

    def get(self, key: CacheKey) -> tuple[Entity, ...] | None:
        """The entities stored under ``key``, or ``None``; a hit becomes the most recently used."""
        with self._lock:
            entities = self._entries.get(key)
            if entities is not None:
                self._entries.move_to_end(key)
            return entities

    def put(self, key: CacheKey, entities: tuple[Entity, ...]) -> None:
        """Store ``entities`` (immutable) under ``key``, dropping the least recently used beyond the bound."""
        with self._lock:
            self._entries[key] = entities
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
