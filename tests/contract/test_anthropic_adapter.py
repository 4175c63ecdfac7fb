"""The Anthropic adapter against the Anthropic mock, and its wire translation rule by rule."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gateway.errors import (
    UpstreamAuthError,
    UpstreamBadRequestError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamRateLimitError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from gateway.mock.anthropic import create_app
from gateway.mock.server import MockServer
from gateway.providers.anthropic import AnthropicProvider
from gateway.providers.base import ProviderConfig
from gateway.types import (
    ChatRequest,
    FinishEvent,
    Message,
    ResponseFormat,
    StreamEvent,
    TextDelta,
    Tool,
    ToolCallDelta,
    ToolChoice,
    UsageEvent,
)

MODEL = "claude-mock-1"
WEATHER = Tool(
    name="get_weather",
    description="Current weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}


def chat(*messages: Message, **fields: object) -> ChatRequest:
    return ChatRequest(model=MODEL, messages=list(messages), **fields)  # type: ignore[arg-type]


def user(text: str) -> Message:
    return Message(role="user", content=text)


HELLO = chat(Message(role="system", content="Be brief."), user("Hello from the adapter tests"))


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(create_app()) as mock:
        yield mock


def arm(server: MockServer, fault: str) -> None:
    httpx.post(server.url + "/_mock/faults", json={"fault": fault}).raise_for_status()


def config(server: MockServer, read_timeout: float = 120.0) -> ProviderConfig:
    return ProviderConfig(
        name="anthropic", kind="anthropic", base_url=server.url, api_key="test-key", read_timeout=read_timeout
    )


@pytest.fixture
async def provider(server: MockServer) -> AsyncIterator[AnthropicProvider]:
    adapter = AnthropicProvider(config(server))
    yield adapter
    await adapter.aclose()


async def collect(provider: AnthropicProvider, req: ChatRequest) -> list[StreamEvent]:
    return [event async for event in provider.stream(req)]


def assembled_calls(events: list[StreamEvent]) -> dict[int, dict[str, str]]:
    calls: dict[int, dict[str, str]] = {}
    for e in events:
        if isinstance(e, ToolCallDelta):
            call = calls.setdefault(e.index, {"id": e.id or "", "name": e.name or "", "arguments": ""})
            call["arguments"] += e.arguments
    return calls


# ---- against the mock -----------------------------------------------------------------------------------


async def test_complete_returns_text_usage_and_finish(provider: AnthropicProvider) -> None:
    response = await provider.complete(HELLO)
    assert response.id.startswith("msg_") and response.model == MODEL
    assert response.content and "Hello from the adapter tests" in response.content
    assert response.finish_reason == "stop" and response.tool_calls == []
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens > 0


async def test_stream_assembles_the_same_text_with_usage_and_one_finish(provider: AnthropicProvider) -> None:
    whole = await provider.complete(HELLO)
    events = await collect(provider, HELLO)
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == whole.content
    assert [e for e in events if isinstance(e, FinishEvent)] == [FinishEvent(reason="stop")]
    usage = [e for e in events if isinstance(e, UsageEvent)]
    assert usage[0].prompt_tokens == whole.usage.prompt_tokens  # known from message_start, before any text
    assert events.index(usage[0]) < next(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    assert usage[-1].completion_tokens == whole.usage.completion_tokens


async def test_complete_tool_call_has_json_arguments(provider: AnthropicProvider) -> None:
    response = await provider.complete(chat(user("Weather in Berlin?"), tools=[WEATHER]))
    assert response.finish_reason == "tool_calls"
    [call] = response.tool_calls
    assert call.id.startswith("toolu_") and call.name == "get_weather"
    assert json.loads(call.arguments) == {"city": "mock"}


async def test_stream_tool_call_assembles_json_arguments(provider: AnthropicProvider) -> None:
    events = await collect(provider, chat(user("Weather in Berlin?"), tools=[WEATHER]))
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert deltas[0].id and deltas[0].name == "get_weather"
    assert all(d.id is None and d.name is None for d in deltas[1:])
    [call] = assembled_calls(events).values()
    assert json.loads(call["arguments"]) == {"city": "mock"}
    assert [e.reason for e in events if isinstance(e, FinishEvent)] == ["tool_calls"]


async def test_tool_result_round_trip_is_accepted_and_answered(provider: AnthropicProvider) -> None:
    first = await provider.complete(chat(user("Weather?"), tools=[WEATHER]))
    followup = chat(
        user("Weather?"),
        Message(role="assistant", content=None, tool_calls=first.tool_calls),
        Message(role="tool", tool_call_id=first.tool_calls[0].id, content="sunny, 21 degrees"),
        tools=[WEATHER],
    )
    response = await provider.complete(followup)  # the mock refuses unmatched tool_use_ids with a 400
    assert response.finish_reason == "stop"
    assert response.content and "sunny, 21 degrees" in response.content


async def test_forced_tool_choice_calls_that_tool(provider: AnthropicProvider) -> None:
    other = Tool(name="get_time", parameters={"type": "object", "properties": {"tz": {"type": "string"}}})
    req = chat(
        user("Time?"), tools=[WEATHER, other], tool_choice=ToolChoice(mode="function", name="get_time")
    )
    response = await provider.complete(req)
    assert [c.name for c in response.tool_calls] == ["get_time"]


async def test_tool_choice_none_answers_with_text(provider: AnthropicProvider) -> None:
    response = await provider.complete(
        chat(user("Weather?"), tools=[WEATHER], tool_choice=ToolChoice(mode="none"))
    )
    assert response.tool_calls == [] and response.content


async def test_max_tokens_maps_to_length_and_stop_to_stop(provider: AnthropicProvider) -> None:
    assert (await provider.complete(chat(user("Hello there"), max_tokens=2))).finish_reason == "length"
    stopped = await provider.complete(chat(user("Hello there"), stop=["answer"]))
    assert stopped.finish_reason == "stop" and stopped.content and "answer" not in stopped.content


async def test_json_schema_response_is_json(provider: AnthropicProvider) -> None:
    fmt = ResponseFormat(type="json_schema", schema_name="a", json_schema=SCHEMA)
    response = await provider.complete(chat(user("Give JSON"), response_format=fmt))
    assert "answer" in json.loads(response.content or "")


async def test_json_object_response_is_json(provider: AnthropicProvider) -> None:
    response = await provider.complete(
        chat(user("Give JSON"), response_format=ResponseFormat(type="json_object"))
    )
    assert isinstance(json.loads(response.content or ""), dict)


# ---- faults -> gateway errors ---------------------------------------------------------------------------


FAULT_ERRORS: list[tuple[str, type[UpstreamError]]] = [
    ("http_400", UpstreamBadRequestError),
    ("http_401", UpstreamAuthError),
    ("http_429", UpstreamRateLimitError),
    ("http_500", UpstreamError),
    ("http_503", UpstreamUnavailableError),
    ("http_529", UpstreamUnavailableError),
    ("malformed", UpstreamProtocolError),
    ("cut_stream", UpstreamProtocolError),
    ("reset", UpstreamProtocolError),
]


@pytest.mark.parametrize(("fault", "error_class"), FAULT_ERRORS)
async def test_complete_fault_maps_to_gateway_error(
    server: MockServer, provider: AnthropicProvider, fault: str, error_class: type[UpstreamError]
) -> None:
    arm(server, fault)
    with pytest.raises(error_class) as caught:
        await provider.complete(HELLO)
    assert type(caught.value) is error_class
    assert caught.value.provider == "anthropic"


@pytest.mark.parametrize(("fault", "error_class"), FAULT_ERRORS)
async def test_stream_fault_maps_to_gateway_error(
    server: MockServer, provider: AnthropicProvider, fault: str, error_class: type[UpstreamError]
) -> None:
    arm(server, fault)
    with pytest.raises(error_class) as caught:
        await collect(provider, HELLO)
    assert type(caught.value) is error_class


async def test_overloaded_is_retryable_unavailable(server: MockServer, provider: AnthropicProvider) -> None:
    arm(server, "http_529")
    with pytest.raises(UpstreamUnavailableError) as caught:
        await provider.complete(HELLO)
    assert caught.value.retryable and caught.value.status == 503
    assert "overloaded_error" in caught.value.message and "Overloaded" not in caught.value.message


async def test_rate_limit_keeps_retry_after(server: MockServer, provider: AnthropicProvider) -> None:
    arm(server, "http_429")
    with pytest.raises(UpstreamRateLimitError) as caught:
        await provider.complete(HELLO)
    assert caught.value.retry_after == 1.0
    assert "rate_limit_error" in caught.value.message and "organization" not in caught.value.message


async def test_cut_stream_raises_after_first_events(server: MockServer, provider: AnthropicProvider) -> None:
    arm(server, "cut_stream")
    seen: list[StreamEvent] = []
    with pytest.raises(UpstreamProtocolError):
        async for event in provider.stream(HELLO):
            seen.append(event)
    assert seen and not any(isinstance(e, FinishEvent) for e in seen)


async def test_timeout_maps_to_upstream_timeout(server: MockServer) -> None:
    adapter = AnthropicProvider(config(server, read_timeout=0.5))
    arm(server, "timeout")
    try:
        with pytest.raises(UpstreamTimeoutError):
            await adapter.complete(HELLO)
    finally:
        await adapter.aclose()


# ---- headers and stream edge cases with a recording transport -------------------------------------------


def sse(*payloads: dict[str, Any]) -> bytes:
    return b"".join(f"event: {p['type']}\ndata: {json.dumps(p)}\n\n".encode() for p in payloads)


async def test_sends_api_key_version_and_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "stop_reason": "end_turn",
            "content": [{"type": "text", "text": "ok"}],
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
        return httpx.Response(200, json=body)

    cfg = ProviderConfig(
        name="claude-eu",
        kind="anthropic",
        base_url="https://upstream.test/",
        api_key="sk-1",
        options={"anthropic_version": "2099-01-01", "default_max_tokens": "77"},
    )
    adapter = AnthropicProvider(cfg, transport=httpx.MockTransport(handler))
    await adapter.complete(HELLO)
    await adapter.aclose()
    [request] = seen
    assert request.method == "POST" and str(request.url) == "https://upstream.test/v1/messages"
    assert request.headers["x-api-key"] == "sk-1" and request.headers["anthropic-version"] == "2099-01-01"
    assert "authorization" not in request.headers
    assert json.loads(request.content)["max_tokens"] == 77


async def test_mid_stream_overloaded_error_event_raises_unavailable() -> None:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": MODEL,
            "content": [],
            "usage": {"input_tokens": 3, "output_tokens": 1},
        },
    }
    body = sse(
        start,
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    )
    transport = httpx.MockTransport(lambda _: httpx.Response(200, content=body))
    adapter = AnthropicProvider(
        ProviderConfig(name="a", kind="anthropic", base_url="http://x"), transport=transport
    )
    seen: list[StreamEvent] = []
    with pytest.raises(UpstreamUnavailableError):
        async for event in adapter.stream(HELLO):
            seen.append(event)
    assert TextDelta(text="Hi") in seen


async def test_stream_tool_without_input_yields_empty_object_and_refusal_maps() -> None:
    body = sse(
        {
            "type": "message_start",
            "message": {"usage": {"input_tokens": 5, "cache_read_input_tokens": 10, "output_tokens": 1}},
        },
        {"type": "ping"},
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "now", "input": {}},
        },
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "refusal"}, "usage": {"output_tokens": 2}},
        {"type": "message_stop"},
    )
    transport = httpx.MockTransport(lambda _: httpx.Response(200, content=body))
    adapter = AnthropicProvider(
        ProviderConfig(name="a", kind="anthropic", base_url="http://x"), transport=transport
    )
    events = [e async for e in adapter.stream(HELLO)]
    assert events[0] == UsageEvent(
        prompt_tokens=15, completion_tokens=1, cached_tokens=10
    )  # cache reads count as input
    assert assembled_calls(events) == {0: {"id": "toolu_1", "name": "now", "arguments": "{}"}}
    assert [e for e in events if isinstance(e, FinishEvent)] == [FinishEvent(reason="content_filter")]
