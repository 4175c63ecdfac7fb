"""Gemini `GenerateContentResponse` -> canonical response, plus the pieces the stream parser shares.

Gemini has no tool-call ids (newer models may send `functionCall.id`; that is kept when present), so ids are
derived from the response id and the call's position: the same response yields the same ids every time.
Thought parts (`"thought": true`) are the model's reasoning summary, not answer text, and are skipped.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

import msgspec

from gateway.errors import UpstreamProtocolError
from gateway.providers.gemini.errors import PROVIDER
from gateway.types import ChatResponse, FinishReason, ToolCall, Usage

Json = dict[str, Any]

_FILTERED = frozenset({"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"})


def from_wire(body: bytes | Json, model: str = "") -> ChatResponse:
    """Translate a non-streaming Gemini response.

    Args:
        body: The raw response body or its parsed JSON.
        model: The requested model, used when the response has no `modelVersion`.

    Returns:
        The canonical response (first candidate only: the gateway asks for one).

    Raises:
        UpstreamProtocolError: The body is not a JSON object.
    """
    data = decode(body)
    response_id = data.get("responseId") or new_response_id()
    candidate = first_candidate(data)
    parts = candidate_parts(candidate)
    text = "".join(part_text(p) for p in parts)
    calls = [tool_call(call, response_id, i) for i, call in enumerate(function_calls(parts))]
    return ChatResponse(
        id=str(response_id),
        model=str(data.get("modelVersion") or model),
        content=text if text or not calls else None,
        tool_calls=calls,
        finish_reason=finish_reason(candidate.get("finishReason"), has_calls=bool(calls), data=data),
        usage=usage(data.get("usageMetadata")),
    )


def decode(body: bytes | str | Json) -> Json:
    """Parse a response body, refusing anything that is not a JSON object."""
    if isinstance(body, dict):
        return body
    try:
        parsed = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise UpstreamProtocolError(f"{PROVIDER} sent invalid JSON", provider=PROVIDER) from exc
    if not isinstance(parsed, dict):
        raise UpstreamProtocolError(f"{PROVIDER} sent an unexpected JSON value", provider=PROVIDER)
    return parsed


def new_response_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


def first_candidate(data: Json) -> Json:
    candidates = data.get("candidates") or []
    first = candidates[0] if candidates else {}
    return first if isinstance(first, dict) else {}


def candidate_parts(candidate: Json) -> list[Json]:
    content = candidate.get("content") or {}
    parts = content.get("parts") if isinstance(content, dict) else None
    return [p for p in parts or [] if isinstance(p, dict)]


def part_text(part: Json) -> str:
    if part.get("thought"):
        return ""
    text = part.get("text")
    return text if isinstance(text, str) else ""


def function_calls(parts: list[Json]) -> list[Json]:
    return [p["functionCall"] for p in parts if isinstance(p.get("functionCall"), dict)]


def tool_call(call: Json, response_id: str, index: int) -> ToolCall:
    """A canonical tool call; `args` (an object) is re-encoded as OpenAI's JSON string."""
    name = str(call.get("name") or "")
    call_id = call.get("id") or stable_call_id(response_id, index, name)
    return ToolCall(id=str(call_id), name=name, arguments=json.dumps(call.get("args") or {}))


def stable_call_id(response_id: str, index: int, name: str) -> str:
    digest = hashlib.sha256(f"{response_id}:{index}:{name}".encode()).hexdigest()
    return "call_" + digest[:24]


def finish_reason(raw: object, *, has_calls: bool, data: Json | None = None) -> FinishReason:
    """Map Gemini's finishReason (and a prompt block) to OpenAI's finish reasons."""
    if (
        data is not None
        and not data.get("candidates")
        and (data.get("promptFeedback") or {}).get("blockReason")
    ):
        return "content_filter"  # the prompt itself was blocked: no candidate at all
    if raw == "MAX_TOKENS":
        return "length"
    if raw in _FILTERED:
        return "content_filter"
    return "tool_calls" if has_calls else "stop"


def usage(metadata: object) -> Usage:
    """Token counts. Thinking tokens are billed as output, so they count as completion tokens."""
    if not isinstance(metadata, dict):
        return Usage()
    prompt = int(metadata.get("promptTokenCount") or 0) + int(metadata.get("toolUsePromptTokenCount") or 0)
    completion = int(metadata.get("candidatesTokenCount") or 0) + int(metadata.get("thoughtsTokenCount") or 0)
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        cached_tokens=int(metadata.get("cachedContentTokenCount") or 0),
        reasoning_tokens=int(metadata.get("thoughtsTokenCount") or 0),
    )
