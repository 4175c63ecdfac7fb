"""Anthropic's SSE stream -> canonical stream events.

The documented flow: `message_start` (input usage), then per content block `content_block_start`, one or more
`content_block_delta` (`text_delta`, `input_json_delta`, ...), `content_block_stop`; then `message_delta`
(`stop_reason`, cumulative usage) and `message_stop`. `ping` may come anywhere, and `error` ends the stream
with a failure. A stream that ends before `message_stop` was cut off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec

from gateway.errors import UpstreamProtocolError
from gateway.providers.anthropic.errors import PROVIDER, map_stream_error
from gateway.providers.anthropic.response import finish_reason, usage_of
from gateway.providers.base import iter_sse
from gateway.types import FinishEvent, StreamEvent, TextDelta, ToolCallDelta, UsageEvent


@dataclass
class _ToolBlock:
    index: int  # the call's position among the tool calls of this message (OpenAI's tool_calls[].index)
    has_arguments: bool = False


@dataclass
class _StreamState:
    """What the translation remembers between events."""

    provider: str
    tools: dict[int, _ToolBlock] = field(default_factory=dict)  # by Anthropic content block index
    finished: bool = False
    done: bool = False


async def events(response: httpx.Response, provider: str = PROVIDER) -> AsyncIterator[StreamEvent]:
    """Canonical events from a 200 `text/event-stream` response of `POST /v1/messages`.

    Raises:
        UpstreamError: the mapped error of an `error` event.
        UpstreamProtocolError: an event that is not JSON, or a stream that ends without `message_stop`.
    """
    state = _StreamState(provider)
    async for message in iter_sse(response):
        payload = _decode(message.data, provider)
        for event in _translate(payload, state):
            yield event
        if state.done:
            return
    raise UpstreamProtocolError(f"{provider} stream ended before message_stop", provider=provider)


def _decode(data: str, provider: str) -> dict[str, Any]:
    try:
        payload = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise UpstreamProtocolError(
            f"{provider} sent a stream event that is not JSON", provider=provider
        ) from exc
    if not isinstance(payload, dict):
        raise UpstreamProtocolError(f"{provider} sent a stream event of unexpected shape", provider=provider)
    return payload


def _translate(payload: dict[str, Any], state: _StreamState) -> Iterator[StreamEvent]:
    """The canonical events for one SSE payload; its `type` names the event, as the `event:` line does."""
    kind = payload.get("type")
    if kind == "message_start":
        yield from _usage((payload.get("message") or {}).get("usage") or {})
    elif kind == "content_block_start":
        yield from _block_start(payload, state)
    elif kind == "content_block_delta":
        yield from _block_delta(payload, state)
    elif kind == "content_block_stop":
        yield from _block_stop(payload, state)
    elif kind == "message_delta":
        yield from _message_delta(payload, state)
    elif kind == "message_stop":
        if not state.finished:
            state.finished = True
            yield FinishEvent(reason="stop")  # never seen in practice: the contract wants exactly one finish
        state.done = True
    elif kind == "error":
        raise map_stream_error(payload, state.provider)
    # `ping` and event types added in the future are ignored, as the API's versioning policy asks.


def _index(payload: dict[str, Any]) -> int:
    index = payload.get("index")
    return index if isinstance(index, int) else -1


def _usage(usage: dict[str, Any]) -> Iterator[StreamEvent]:
    prompt, completion = usage_of(usage)
    if prompt is not None or completion is not None:
        cached = usage.get("cache_read_input_tokens")
        yield UsageEvent(
            prompt_tokens=prompt, completion_tokens=completion, cached_tokens=cached if isinstance(cached, int) else None
        )


def _block_start(payload: dict[str, Any], state: _StreamState) -> Iterator[StreamEvent]:
    block = payload.get("content_block") or {}
    if block.get("type") == "text" and block.get("text"):
        yield TextDelta(text=block["text"])
    elif block.get("type") == "tool_use":
        tool = _ToolBlock(index=len(state.tools))
        state.tools[_index(payload)] = tool
        yield ToolCallDelta(
            index=tool.index, id=str(block.get("id") or ""), name=str(block.get("name") or "")
        )
        if block.get("input"):  # normally `{}` with the arguments following as input_json_delta
            tool.has_arguments = True
            yield ToolCallDelta(index=tool.index, arguments=msgspec.json.encode(block["input"]).decode())


def _block_delta(payload: dict[str, Any], state: _StreamState) -> Iterator[StreamEvent]:
    delta = payload.get("delta") or {}
    if delta.get("type") == "text_delta" and delta.get("text"):
        yield TextDelta(text=delta["text"])
    elif delta.get("type") == "input_json_delta" and delta.get("partial_json"):
        tool = state.tools.get(_index(payload))
        if tool is None:
            raise UpstreamProtocolError(
                f"{state.provider} sent tool input for an unknown content block", provider=state.provider
            )
        tool.has_arguments = True
        yield ToolCallDelta(index=tool.index, arguments=delta["partial_json"])
    # thinking, signature and citations deltas have no place in the OpenAI format and are dropped.


def _block_stop(payload: dict[str, Any], state: _StreamState) -> Iterator[StreamEvent]:
    tool = state.tools.get(_index(payload))
    if tool is not None and not tool.has_arguments:
        # A call without input streams no JSON at all; OpenAI clients expect arguments to parse.
        tool.has_arguments = True
        yield ToolCallDelta(index=tool.index, arguments="{}")


def _message_delta(payload: dict[str, Any], state: _StreamState) -> Iterator[StreamEvent]:
    yield from _usage(payload.get("usage") or {})
    stop_reason = (payload.get("delta") or {}).get("stop_reason")
    if stop_reason and not state.finished:
        state.finished = True
        yield FinishEvent(reason=finish_reason(stop_reason))
