"""Cache keys: SHA-256 over the tenant and everything that changes the answer.

The key is built from the SCRUBBED request (after the privacy stage), so PII never reaches a key or a stored
entry: two customers whose IBANs both became `<IBAN_1>` share a key. That is sound because the model only ever
sees the scrubbed request, so the cached answer is exactly what it would have answered this request too; the
answer is restored with the CURRENT request's vault, never with the values of the request that stored it.

Parts of the key:
    tenant id, the requested model name and the routing targets the plan resolved it to (candidate models in
    order: they reflect tier, residency, allow-list and capabilities), messages, tools, tool_choice,
    parallel_tool_calls, response_format, temperature, top_p, max_tokens, stop, seed.
Not part of it: `stream` and `include_usage` (a cached answer is replayed in either form), `user`, `metadata`.

The semantic bucket is the same hash without the last user turn's text, plus the placeholders in that turn:
a semantic hit needs the identical context (system prompt, earlier turns, parameters) and only the wording of
the last question may differ.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from gateway.privacy.vault import PLACEHOLDER  # the placeholder format is the vault's vocabulary
from gateway.types import ChatRequest, Message

KEY_VERSION = 1  # bump when the key material changes: old entries then simply stop matching
_encode = msgspec.msgpack.Encoder(order="sorted").encode


@dataclass(frozen=True)
class CacheKeys:
    """The keys of one request.

    Attributes:
        exact: Hex SHA-256 of the full key material.
        bucket: Hex SHA-256 of the material without the last user turn; None when the request does not end
            with a user turn (then only exact lookups apply).
        question: The last user turn's text, what the semantic cache embeds; None with `bucket`.
    """

    exact: str
    bucket: str | None
    question: str | None


def _context(tenant_id: str, request: ChatRequest, targets: Sequence[str]) -> list[Any]:
    return [
        KEY_VERSION,
        tenant_id,
        request.model,
        list(targets),
        request.tools,
        request.tool_choice,
        request.parallel_tool_calls,
        request.response_format,
        request.temperature,
        request.top_p,
        request.max_tokens,
        request.stop,
        request.seed,
    ]


def _digest(material: list[Any]) -> str:
    return hashlib.sha256(_encode(material)).hexdigest()


def placeholders_in(text: str) -> list[str]:
    """The `<TYPE_n>` placeholders in `text`, sorted and deduplicated."""
    return sorted({m.group(0) for m in PLACEHOLDER.finditer(text)})


def cache_keys(tenant_id: str, request: ChatRequest, targets: Sequence[str]) -> CacheKeys:
    """The exact key and semantic bucket of `request` for `tenant_id`, routed to `targets`."""
    context = _context(tenant_id, request, targets)
    exact = _digest([*context, request.messages])
    last = request.messages[-1] if request.messages else None
    if last is None or not _is_question(last):
        return CacheKeys(exact, None, None)
    question = last.content or ""
    earlier = request.messages[:-1]
    bucket = _digest([*context, earlier, last.name, placeholders_in(question)])
    return CacheKeys(exact, bucket, question)


def _is_question(message: Message) -> bool:
    return message.role == "user" and bool(message.content) and not message.tool_calls
