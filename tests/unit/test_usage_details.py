"""Cached and reasoning tokens, as each provider reports them, reach the canonical usage and the ledger."""

from __future__ import annotations

import json

from gateway.api.openai_render import render_response
from gateway.providers.anthropic.response import from_wire as anthropic_from_wire
from gateway.providers.gemini.response import usage as gemini_usage
from gateway.providers.openai_compat.response import from_wire as openai_from_wire
from gateway.streaming import StreamAccumulator
from gateway.types import UsageEvent


def test_openai_usage_details_are_read() -> None:
    body = {
        "id": "x",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": 100,
            "completion_tokens": 50,
            "total_tokens": 150,
            "prompt_tokens_details": {"cached_tokens": 80},
            "completion_tokens_details": {"reasoning_tokens": 30},
        },
    }
    usage = openai_from_wire(json.dumps(body).encode()).usage
    assert (usage.cached_tokens, usage.reasoning_tokens) == (80, 30)
    rendered = json.loads(render_response(openai_from_wire(json.dumps(body).encode())))
    assert rendered["usage"]["prompt_tokens_details"] == {"cached_tokens": 80}
    assert rendered["usage"]["completion_tokens_details"] == {"reasoning_tokens": 30}


def test_anthropic_cache_reads_are_cached_tokens_within_the_prompt() -> None:
    body = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [{"type": "text", "text": "hi"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 10, "cache_read_input_tokens": 90, "output_tokens": 5},
    }
    usage = anthropic_from_wire(body).usage
    assert (usage.prompt_tokens, usage.cached_tokens) == (100, 90)


def test_gemini_cached_and_thought_tokens() -> None:
    usage = gemini_usage(
        {"promptTokenCount": 40, "cachedContentTokenCount": 30, "candidatesTokenCount": 7, "thoughtsTokenCount": 20}
    )
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens, usage.reasoning_tokens) == (
        40,
        27,
        30,
        20,
    )


def test_stream_accumulator_keeps_the_details() -> None:
    accumulator = StreamAccumulator("id", "m", 0)
    accumulator.add(UsageEvent(prompt_tokens=10, cached_tokens=4))
    accumulator.add(UsageEvent(completion_tokens=3, reasoning_tokens=2))
    usage = accumulator.response().usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens, usage.reasoning_tokens) == (10, 3, 4, 2)
