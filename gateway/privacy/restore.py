"""Restoring placeholders in a stream, where one placeholder may be split across chunks.

Text is passed through at once except a tail that could still become a placeholder (`<`, `<PER`, `<PERSON_1`):
that tail, at most MAX_PLACEHOLDER_LEN characters, waits for the next chunk. Buffering is bounded; the whole
stream is never held.
"""

from __future__ import annotations

import re

from gateway.privacy.vault import MAX_PLACEHOLDER_LEN, Vault

_PARTIAL = re.compile(r"<[A-Z_]*\d{0,4}$")


class StreamRestorer:
    def __init__(self, vault: Vault, *, json_escape: bool = False) -> None:
        self._vault = vault
        self._json_escape = json_escape
        self._pending = ""

    def feed(self, chunk: str) -> str:
        """The restored text that is safe to emit now."""
        text = self._pending + chunk
        cut = text.rfind("<")
        if cut != -1 and len(text) - cut <= MAX_PLACEHOLDER_LEN and _PARTIAL.match(text, cut):
            self._pending = text[cut:]
            text = text[:cut]
        else:
            self._pending = ""
        return self._vault.restore(text, json_escape=self._json_escape)

    def flush(self) -> str:
        """Whatever is still held back, restored (at the end of the stream)."""
        text, self._pending = self._pending, ""
        return self._vault.restore(text, json_escape=self._json_escape)
