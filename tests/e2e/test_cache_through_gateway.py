"""A cached answer through the real gateway on loopback, with the openai SDK as client: JSON, then SSE replay."""

from __future__ import annotations

import secrets

from tests.e2e.conftest import Stack


def _messages() -> list[dict[str, str]]:
    # A question of its own per test: the session's gateway and tenant are shared with other e2e tests.
    return [{"role": "user", "content": f"Wie lange dauert der Versand? ({secrets.token_hex(4)})"}]


def test_cached_answer_is_replayed_as_a_stream_through_the_sdk(gateway_stack: Stack) -> None:
    client = gateway_stack.client()
    messages = _messages()
    first = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=messages, temperature=0
    )
    stored = first.parse()
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=messages,
        temperature=0,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(raw.parse())
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert (first.headers["x-gateway-cache"], raw.headers["x-gateway-cache"]) == ("miss", "hit-exact")
    assert text == stored.choices[0].message.content
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == stored.usage.total_tokens  # type: ignore[union-attr]


def test_streamed_answer_is_served_from_cache_as_json(gateway_stack: Stack) -> None:
    client = gateway_stack.client()
    messages = _messages()
    streamed = "".join(
        c.choices[0].delta.content or ""
        for c in client.chat.completions.create(
            model="gpt-4o-mini", messages=messages, temperature=0, stream=True
        )
        if c.choices
    )
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=messages, temperature=0
    )
    assert raw.headers["x-gateway-cache"] == "hit-exact"
    assert raw.parse().choices[0].message.content == streamed
