"""The Anthropic adapter against the Anthropic mock, and its wire translation rule by rule."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gateway.errors import (
    InvalidRequestError,
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
from gateway.providers.anthropic.request import JSON_OBJECT_INSTRUCTION, WireOptions, to_wire
from gateway.providers.anthropic.response import from_wire
from gateway.providers.base import ProviderConfig
from gateway.types import (
    ChatRequest,
    FinishEvent,
    Message,
    ResponseFormat,
    StreamEvent,
    TextDelta,
    Tool,
    ToolCall,
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


@pytest.fixture(autouse=True)
def _clear_faults(server: MockServer) -> Iterator[None]:
    yield
    httpx.delete(server.url + "/_mock/faults")


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
    assert events[0] == UsageEvent(prompt_tokens=15, completion_tokens=1, cached_tokens=10)  # cache reads count as input
    assert assembled_calls(events) == {0: {"id": "toolu_1", "name": "now", "arguments": "{}"}}
    assert [e for e in events if isinstance(e, FinishEvent)] == [FinishEvent(reason="content_filter")]


# ---- from_wire ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
    ],
)
def test_from_wire_maps_stop_reason(stop_reason: str, finish: str) -> None:
    body = {
        "id": "msg_9",
        "type": "message",
        "model": MODEL,
        "stop_reason": stop_reason,
        "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
        "usage": {"input_tokens": 4, "cache_creation_input_tokens": 2, "output_tokens": 3},
    }
    response = from_wire(json.dumps(body).encode())
    assert response.finish_reason == finish and response.content == "ab"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (6, 3)


def test_from_wire_rejects_non_json() -> None:
    with pytest.raises(UpstreamProtocolError):
        from_wire(b"<html>bad gateway</html>")


# ---- to_wire, rule by rule ------------------------------------------------------------------------------


def test_system_messages_are_hoisted_and_joined() -> None:
    req = chat(
        Message(role="system", content="Rule one."), user("hi"), Message(role="system", content="Rule two.")
    )
    body = to_wire(req)
    assert body["system"] == "Rule one.\n\nRule two."
    assert all(turn["role"] in ("user", "assistant") for turn in body["messages"])


def test_max_tokens_defaults_and_passes_through() -> None:
    assert to_wire(chat(user("hi")))["max_tokens"] == 4096
    assert to_wire(chat(user("hi")), WireOptions(default_max_tokens=99))["max_tokens"] == 99
    assert to_wire(chat(user("hi"), max_tokens=12))["max_tokens"] == 12
    assert WireOptions.from_options({"default_max_tokens": "321"}).default_max_tokens == 321


def test_consecutive_same_role_turns_are_merged() -> None:
    body = to_wire(chat(user("a"), user("b"), Message(role="assistant", content="c"), user("d")))
    assert [t["role"] for t in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][0]["content"] == [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]


def test_assistant_tool_calls_become_tool_use_and_results_a_user_turn() -> None:
    calls = [
        ToolCall(id="toolu_a", name="f", arguments='{"x": 1}'),
        ToolCall(id="toolu_b", name="g", arguments=""),
    ]
    req = chat(
        user("go"),
        Message(role="assistant", content="Calling.", tool_calls=calls),
        Message(role="tool", tool_call_id="toolu_a", content="one"),
        Message(role="tool", tool_call_id="toolu_b", content="two"),
        user("and now?"),
    )
    turns = to_wire(req)["messages"]
    assert turns[1] == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Calling."},
            {"type": "tool_use", "id": "toolu_a", "name": "f", "input": {"x": 1}},
            {"type": "tool_use", "id": "toolu_b", "name": "g", "input": {}},
        ],
    }
    assert turns[2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_a", "content": "one"},
            {"type": "tool_result", "tool_use_id": "toolu_b", "content": "two"},
            {"type": "text", "text": "and now?"},
        ],
    }
    assert len(turns) == 3


def test_invalid_tool_messages_are_refused() -> None:
    with pytest.raises(InvalidRequestError):
        to_wire(chat(user("x"), Message(role="tool", content="orphan")))
    bad = Message(role="assistant", tool_calls=[ToolCall(id="t", name="f", arguments="[1]")])
    with pytest.raises(InvalidRequestError):
        to_wire(chat(user("x"), bad))


def test_tools_use_input_schema_and_strict() -> None:
    strict = Tool(name="s", parameters={"type": "object", "properties": {}}, strict=True)
    body = to_wire(chat(user("x"), tools=[WEATHER, strict]))
    assert body["tools"][0] == {
        "name": "get_weather",
        "description": "Current weather for a city",
        "input_schema": WEATHER.parameters,
    }
    assert body["tools"][1]["strict"] is True and "description" not in body["tools"][1]
    assert "tool_choice" not in body


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        (ToolChoice(mode="auto"), {"type": "auto"}),
        (ToolChoice(mode="required"), {"type": "any"}),
        (ToolChoice(mode="function", name="get_weather"), {"type": "tool", "name": "get_weather"}),
        (ToolChoice(mode="none"), {"type": "none"}),
    ],
)
def test_tool_choice_translation(choice: ToolChoice, wire: dict[str, str]) -> None:
    assert to_wire(chat(user("x"), tools=[WEATHER], tool_choice=choice))["tool_choice"] == wire


def test_parallel_tool_calls_false_disables_parallel_use() -> None:
    body = to_wire(chat(user("x"), tools=[WEATHER], parallel_tool_calls=False))
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    none = to_wire(
        chat(user("x"), tools=[WEATHER], tool_choice=ToolChoice(mode="none"), parallel_tool_calls=False)
    )
    assert none["tool_choice"] == {"type": "none"}


def test_tool_choice_without_tools_is_omitted() -> None:
    assert "tool_choice" not in to_wire(chat(user("x"), tool_choice=ToolChoice(mode="required")))


def test_json_schema_uses_structured_outputs() -> None:
    fmt = ResponseFormat(type="json_schema", schema_name="a", json_schema=SCHEMA)
    body = to_wire(chat(user("x"), response_format=fmt))
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    assert "system" not in body


def test_json_schema_without_structured_outputs_becomes_instruction() -> None:
    fmt = ResponseFormat(type="json_schema", json_schema=SCHEMA)
    body = to_wire(chat(user("x"), response_format=fmt), WireOptions(structured_outputs=False))
    assert "output_config" not in body
    assert JSON_OBJECT_INSTRUCTION in body["system"] and '"required":["answer"]' in body["system"]


def test_json_object_becomes_system_instruction() -> None:
    req = chat(
        Message(role="system", content="Be brief."),
        user("x"),
        response_format=ResponseFormat(type="json_object"),
    )
    assert to_wire(req)["system"] == "Be brief.\n\n" + JSON_OBJECT_INSTRUCTION


def test_sampling_stop_user_and_stream_fields() -> None:
    req = chat(
        user("x"), temperature=0.3, top_p=0.9, stop=["END"], seed=7, user="user-42", metadata={"k": "v"}
    )
    body = to_wire(req, stream=True)
    assert body["temperature"] == 0.3 and body["top_p"] == 0.9
    assert body["stop_sequences"] == ["END"]
    assert body["metadata"] == {"user_id": "user-42"}
    assert body["stream"] is True
    assert "seed" not in body and "stop" not in body and "user" not in body
    assert "stream" not in to_wire(req)


def test_temperature_is_clamped_to_anthropic_range() -> None:
    assert to_wire(chat(user("x"), temperature=1.7))["temperature"] == 1.0
