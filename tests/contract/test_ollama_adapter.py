"""The Ollama adapter against the mock Ollama server, and its wire translation on its own."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

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
from gateway.mock.ollama import create_app
from gateway.mock.server import MockServer
from gateway.providers.base import ProviderConfig
from gateway.providers.ollama import OllamaProvider
from gateway.providers.ollama.request import to_wire
from gateway.providers.ollama.response import from_wire
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

MODEL = "llama3.2"
WEATHER = Tool(
    name="get_weather",
    description="Current weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
TIME = Tool(name="get_time", parameters={"type": "object", "properties": {"zone": {"type": "string"}}})


def ask(text: str = "Why is the sky blue over Berlin today?", **fields: object) -> ChatRequest:
    return ChatRequest(model=MODEL, messages=[Message(role="user", content=text)], **fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(create_app()) as running:
        yield running


@pytest.fixture
async def adapter(server: MockServer) -> AsyncIterator[OllamaProvider]:
    provider = OllamaProvider(
        ProviderConfig(name="ollama", kind="ollama", base_url=server.url, read_timeout=0.5)
    )
    yield provider
    await provider.aclose()
    httpx.delete(server.url + "/_mock/faults")  # noqa: ASYNC210  the mock serves from its own thread, so a blocking call cannot stall it


def arm(server: MockServer, fault: str) -> None:
    httpx.post(server.url + "/_mock/faults", json={"fault": fault}).raise_for_status()


async def collect(adapter: OllamaProvider, req: ChatRequest) -> list[StreamEvent]:
    return [event async for event in adapter.stream(req)]


# ---- complete and stream -----------------------------------------------------------------------------------


async def test_complete_returns_text_usage_and_stop(adapter: OllamaProvider) -> None:
    response = await adapter.complete(ask())
    assert (
        response.content == f"This is a mock answer from {MODEL} to: Why is the sky blue over Berlin today?"
    )
    assert response.finish_reason == "stop"
    assert response.usage.prompt_tokens == 8 and response.usage.completion_tokens == 16
    assert response.id.startswith("chatcmpl-") and response.model == MODEL and response.created > 0


async def test_stream_assembles_the_same_text_with_usage_and_one_finish(adapter: OllamaProvider) -> None:
    expected = await adapter.complete(ask())
    events = await collect(adapter, ask())
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == expected.content
    assert len([e for e in events if isinstance(e, TextDelta)]) > 1
    assert [e.reason for e in events if isinstance(e, FinishEvent)] == ["stop"]
    usage = [e for e in events if isinstance(e, UsageEvent)]
    assert usage and usage[-1].prompt_tokens == 8 and usage[-1].completion_tokens == 16


async def test_max_tokens_finishes_with_length(adapter: OllamaProvider) -> None:
    response = await adapter.complete(ask(max_tokens=4))
    assert response.finish_reason == "length" and len((response.content or "").split()) == 4
    events = await collect(adapter, ask(max_tokens=4))
    assert [e.reason for e in events if isinstance(e, FinishEvent)] == ["length"]


async def test_stop_sequence_reaches_the_server(adapter: OllamaProvider) -> None:
    response = await adapter.complete(ask(stop=["sky"]))
    assert response.content == f"This is a mock answer from {MODEL} to: Why is the "


async def test_complete_tool_call_has_json_arguments_and_an_id(adapter: OllamaProvider) -> None:
    response = await adapter.complete(ask(tools=[WEATHER]))
    assert response.finish_reason == "tool_calls"
    assert response.content is None
    [call] = response.tool_calls
    assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "mock"}
    assert call.id.startswith("call_")


async def test_stream_tool_call_comes_as_one_delta_with_id_and_name(adapter: OllamaProvider) -> None:
    events = await collect(adapter, ask(tools=[WEATHER]))
    [delta] = [e for e in events if isinstance(e, ToolCallDelta)]
    assert delta.index == 0 and delta.id and delta.id.startswith("call_") and delta.name == "get_weather"
    assert json.loads(delta.arguments) == {"city": "mock"}
    assert [e.reason for e in events if isinstance(e, FinishEvent)] == ["tool_calls"]


async def test_tool_choice_function_forces_that_tool(adapter: OllamaProvider) -> None:
    response = await adapter.complete(
        ask(tools=[WEATHER, TIME], tool_choice=ToolChoice(mode="function", name="get_time"))
    )
    assert [c.name for c in response.tool_calls] == ["get_time"]


async def test_tool_choice_none_gets_text(adapter: OllamaProvider) -> None:
    response = await adapter.complete(ask(tools=[WEATHER], tool_choice=ToolChoice(mode="none")))
    assert response.finish_reason == "stop" and not response.tool_calls and response.content


async def test_tool_result_round_trip_gets_text(adapter: OllamaProvider) -> None:
    first = await adapter.complete(ask(tools=[WEATHER]))
    history = [
        Message(role="user", content="Weather in Berlin?"),
        Message(role="assistant", tool_calls=first.tool_calls),
        Message(role="tool", tool_call_id=first.tool_calls[0].id, content="12 degrees and rain"),
    ]
    response = await adapter.complete(ChatRequest(model=MODEL, messages=history, tools=[WEATHER]))
    assert response.content == "The tool returned: 12 degrees and rain"


async def test_json_object_format_gets_json(adapter: OllamaProvider) -> None:
    response = await adapter.complete(ask(response_format=ResponseFormat(type="json_object")))
    assert "answer" in json.loads(response.content or "")


async def test_api_key_is_sent_as_bearer_only_when_set() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(
            200, json={"model": MODEL, "message": {"role": "assistant", "content": "hi"}, "done": True}
        )

    for key in (None, "sk-ollama-cloud"):
        config = ProviderConfig(name="ollama", kind="ollama", base_url="http://ollama.test", api_key=key)
        provider = OllamaProvider(config, transport=httpx.MockTransport(handler))
        await provider.complete(ask())
        await provider.aclose()
    assert seen == [None, "Bearer sk-ollama-cloud"]


# ---- wire translation --------------------------------------------------------------------------------------


def test_to_wire_maps_sampling_settings_into_options() -> None:
    body = to_wire(ask(temperature=0.2, top_p=0.9, max_tokens=64, stop=["END"], seed=7, user="u-1"))
    assert body["options"] == {
        "temperature": 0.2,
        "top_p": 0.9,
        "num_predict": 64,
        "stop": ["END"],
        "seed": 7,
    }
    assert "user" not in body and "metadata" not in body and "tool_choice" not in body


def test_to_wire_sets_stream_explicitly_and_omits_empty_sections() -> None:
    body = to_wire(ask())
    assert body["stream"] is False
    assert "options" not in body and "tools" not in body and "format" not in body


def test_to_wire_maps_response_formats() -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    assert to_wire(ask(response_format=ResponseFormat(type="json_object")))["format"] == "json"
    assert (
        to_wire(ask(response_format=ResponseFormat(type="json_schema", json_schema=schema)))["format"]
        == schema
    )
    assert "format" not in to_wire(ask(response_format=ResponseFormat(type="text")))


def test_to_wire_maps_tools_in_function_format() -> None:
    body = to_wire(ask(tools=[WEATHER, TIME]))
    assert body["tools"][0] == {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": WEATHER.parameters,
            "description": WEATHER.description,
        },
    }
    assert "description" not in body["tools"][1]["function"]


@pytest.mark.parametrize(
    ("choice", "names"),
    [
        (None, ["get_weather", "get_time"]),
        (ToolChoice(mode="auto"), ["get_weather", "get_time"]),
        (ToolChoice(mode="required"), ["get_weather", "get_time"]),
        (ToolChoice(mode="function", name="get_time"), ["get_time"]),
        (ToolChoice(mode="none"), []),
    ],
)
def test_to_wire_approximates_tool_choice_by_the_tools_sent(
    choice: ToolChoice | None, names: list[str]
) -> None:
    body = to_wire(ask(tools=[WEATHER, TIME], tool_choice=choice))
    assert [t["function"]["name"] for t in body.get("tools", [])] == names


def test_to_wire_maps_every_role_and_tool_history() -> None:
    calls = [
        ToolCall(id="call_a", name="get_weather", arguments='{"city": "Berlin"}'),
        ToolCall(id="call_b", name="get_time"),
    ]
    req = ChatRequest(
        model=MODEL,
        messages=[
            Message(role="system", content="Be brief."),
            Message(role="user", content="Weather and time?"),
            Message(role="assistant", content=None, tool_calls=calls),
            Message(role="tool", tool_call_id="call_b", content="10:00"),
            Message(role="tool", tool_call_id="call_a", content="rain"),
        ],
    )
    messages = to_wire(req)["messages"]
    assert messages[0] == {"role": "system", "content": "Be brief."}
    assert messages[1] == {"role": "user", "content": "Weather and time?"}
    assert messages[2] == {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "type": "function",
                "function": {"index": 0, "name": "get_weather", "arguments": {"city": "Berlin"}},
            },
            {"type": "function", "function": {"index": 1, "name": "get_time", "arguments": {}}},
        ],
    }
    assert messages[3] == {"role": "tool", "content": "10:00", "tool_name": "get_time"}
    assert messages[4] == {"role": "tool", "content": "rain", "tool_name": "get_weather"}


def test_to_wire_refuses_tool_arguments_that_are_not_an_object() -> None:
    history = [Message(role="assistant", tool_calls=[ToolCall(id="c", name="f", arguments="[1, 2]")])]
    with pytest.raises(UpstreamBadRequestError):
        to_wire(ChatRequest(model=MODEL, messages=history))


def test_from_wire_keeps_an_upstream_tool_call_id_and_makes_stable_ones_otherwise() -> None:
    body = {
        "model": MODEL,
        "created_at": "2025-10-17T23:14:07.414671234Z",
        "message": {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {"id": "call_upstream", "function": {"index": 0, "name": "a", "arguments": {"x": 1}}},
                {"function": {"index": 1, "name": "b", "arguments": {"y": "ü"}}},
            ],
        },
        "done": True,
        "done_reason": "stop",
        "prompt_eval_count": 11,
        "eval_count": 18,
    }
    first, second = from_wire(json.dumps(body).encode()), from_wire(body)
    assert first.tool_calls[0].id == "call_upstream"
    assert first.tool_calls[1].id == second.tool_calls[1].id != first.tool_calls[0].id
    assert json.loads(first.tool_calls[1].arguments) == {"y": "ü"}
    assert (
        first.finish_reason == "tool_calls"
        and first.usage.prompt_tokens == 11
        and first.usage.completion_tokens == 18
    )
    assert first.created == 1760742847


def test_from_wire_rejects_invalid_json() -> None:
    with pytest.raises(UpstreamProtocolError):
        from_wire(b'{"model": "x", "message": ')


# ---- errors and faults -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("http_400", UpstreamBadRequestError),
        ("http_401", UpstreamAuthError),
        ("http_500", UpstreamError),
        ("http_503", UpstreamUnavailableError),
        ("http_529", UpstreamUnavailableError),
        ("timeout", UpstreamTimeoutError),
        ("reset", UpstreamProtocolError),
        ("malformed", UpstreamProtocolError),
        ("cut_stream", UpstreamProtocolError),
    ],
)
async def test_complete_maps_fault(
    adapter: OllamaProvider, server: MockServer, fault: str, error: type
) -> None:
    arm(server, fault)
    with pytest.raises(error) as caught:
        await adapter.complete(ask())
    assert type(caught.value) is error


async def test_rate_limit_keeps_retry_after(adapter: OllamaProvider, server: MockServer) -> None:
    arm(server, "http_429")
    with pytest.raises(UpstreamRateLimitError) as caught:
        await adapter.complete(ask())
    assert caught.value.retry_after == 1.0


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("http_429", UpstreamRateLimitError),
        ("http_503", UpstreamUnavailableError),
        ("timeout", UpstreamTimeoutError),
        ("reset", UpstreamProtocolError),
        ("malformed", UpstreamProtocolError),
    ],
)
async def test_stream_maps_fault(
    adapter: OllamaProvider, server: MockServer, fault: str, error: type
) -> None:
    arm(server, fault)
    with pytest.raises(error) as caught:
        await collect(adapter, ask())
    assert type(caught.value) is error


async def test_cut_stream_raises_after_some_text(adapter: OllamaProvider, server: MockServer) -> None:
    arm(server, "cut_stream")
    seen: list[StreamEvent] = []
    with pytest.raises(UpstreamProtocolError):
        async for event in adapter.stream(ask()):
            seen.append(event)
    assert any(isinstance(e, TextDelta) for e in seen)
    assert not any(isinstance(e, FinishEvent) for e in seen)


async def test_unknown_model_is_a_bad_request_with_a_safe_detail(adapter: OllamaProvider) -> None:
    with pytest.raises(UpstreamBadRequestError) as caught:
        await adapter.complete(
            ChatRequest(model="missing-secret-name", messages=[Message(role="user", content="x")])
        )
    assert "model_not_found" in caught.value.message
    assert (
        "missing-secret-name" not in caught.value.message
    )  # Ollama's text quotes the request; never passed on


async def test_mid_stream_error_line_raises_without_leaking_its_text() -> None:
    lines = [
        {"model": MODEL, "message": {"role": "assistant", "content": "Yes"}, "done": False},
        {"error": "an error was encountered while running the model: user said Schmidt"},
    ]
    payload = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    transport = httpx.MockTransport(lambda _: httpx.Response(200, content=payload))
    provider = OllamaProvider(
        ProviderConfig(name="ollama", kind="ollama", base_url="http://ollama.test"), transport
    )
    seen: list[StreamEvent] = []
    with pytest.raises(UpstreamError) as caught:
        async for event in provider.stream(ask()):
            seen.append(event)
    await provider.aclose()
    assert type(caught.value) is UpstreamError and seen == [TextDelta(text="Yes")]
    assert "Schmidt" not in caught.value.message
