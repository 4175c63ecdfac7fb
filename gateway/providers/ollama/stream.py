"""Ollama's NDJSON chat stream -> canonical stream events.

Each line is a JSON object. Text arrives as `message.content` pieces with `done: false`; a tool call
arrives whole (arguments complete) in one line's `message.tool_calls`; the last line has `done: true`,
`done_reason` and the token counts. An error after the stream started is a line `{"error": "..."}`, with
the status still 200.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec

from gateway.errors import UpstreamProtocolError
from gateway.providers.base import iter_ndjson_lines
from gateway.providers.ollama.errors import PROVIDER, map_stream_error
from gateway.providers.ollama.response import finish_reason, tool_call_of, usage_of
from gateway.types import FinishEvent, StreamEvent, TextDelta, ToolCallDelta, UsageEvent


def _decode_line(line: str, provider: str) -> dict[str, Any]:
    try:
        data = msgspec.json.decode(line)
    except msgspec.DecodeError as exc:
        raise UpstreamProtocolError(
            f"{provider} sent a stream line that is not valid JSON", provider=provider
        ) from exc
    if not isinstance(data, dict):
        raise UpstreamProtocolError(
            f"{provider} sent a stream line that is not a JSON object", provider=provider
        )
    return data


def _tool_call_deltas(message: dict[str, Any], first_index: int, salt: str) -> list[ToolCallDelta]:
    """One delta per call: Ollama sends each call complete, so id, name and all arguments come together.
    Indexes are counted over the whole stream, since each line's own `function.index` may restart."""
    deltas = []
    for offset, raw in enumerate(message.get("tool_calls") or []):
        call = tool_call_of(raw, first_index + offset, salt)
        deltas.append(
            ToolCallDelta(index=first_index + offset, id=call.id, name=call.name, arguments=call.arguments)
        )
    return deltas


async def events(response: httpx.Response, provider: str = PROVIDER) -> AsyncIterator[StreamEvent]:
    """Yield the canonical events of a 200 NDJSON chat stream.

    Raises:
        UpstreamError: the stream carried an `{"error": ...}` line.
        UpstreamProtocolError: a line is not JSON, or the stream ended without its `done: true` line.
    """
    calls_seen = 0
    async for line in iter_ndjson_lines(response):
        data = _decode_line(line, provider)
        if "error" in data:
            raise map_stream_error(data, provider)
        message = data.get("message")
        if isinstance(message, dict):
            content = message.get("content")
            if isinstance(content, str) and content:
                yield TextDelta(text=content)
            for delta in _tool_call_deltas(message, calls_seen, str(data.get("created_at") or "")):
                calls_seen += 1
                yield delta
        if data.get("done") is True:
            prompt, completion = usage_of(data)
            yield UsageEvent(prompt_tokens=prompt, completion_tokens=completion)
            yield FinishEvent(reason=finish_reason(data.get("done_reason"), calls_seen > 0))
            return
    raise UpstreamProtocolError(f"{provider} ended the stream before its final line", provider=provider)
