"""The Gemini adapter: wire translation (to_wire / from_wire / map_error) and behaviour against the mock."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
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
from gateway.mock.gemini import create_app
from gateway.mock.server import MockServer
from gateway.providers.base import ProviderConfig
from gateway.providers.gemini import GeminiProvider
from gateway.providers.gemini.errors import map_error
from gateway.providers.gemini.request import SKIP_SIGNATURE, to_wire
from gateway.providers.gemini.response import from_wire
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

MODEL = "gemini-2.5-flash"
WEATHER = Tool(
    name="get_weather",
    description="Current weather for a city.",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def ask(text: str, **kwargs: Any) -> ChatRequest:
    """A one-message request with the given extra fields."""
    return ChatRequest(model=MODEL, messages=[Message(role="user", content=text)], **kwargs)


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(create_app()) as running:
        yield running


@pytest.fixture
def arm(server: MockServer) -> Iterator[Callable[[str], None]]:
    """Arm a fault on the mock for the next request; cleared after the test."""

    def _arm(fault: str) -> None:
        httpx.post(server.url + "/_mock/faults", json={"fault": fault}).raise_for_status()

    yield _arm
    httpx.delete(server.url + "/_mock/faults")


@pytest.fixture
async def provider(server: MockServer) -> AsyncIterator[GeminiProvider]:
    config = ProviderConfig(name="gemini", kind="gemini", base_url=server.url, api_key="k", read_timeout=0.5)
    adapter = GeminiProvider(config)
    yield adapter
    await adapter.aclose()


async def collect(adapter: GeminiProvider, req: ChatRequest) -> list[StreamEvent]:
    return [event async for event in adapter.stream(req)]


# ---- to_wire ----------------------------------------------------------------------------------------------


def test_to_wire_moves_system_messages_to_system_instruction() -> None:
    req = ChatRequest(
        model=MODEL,
        messages=[Message(role="system", content="Be brief."), Message(role="user", content="Hi")],
    )
    body = to_wire(req)
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Hi"}]}]


def test_to_wire_maps_assistant_to_model_role_and_tool_calls_to_function_call_parts() -> None:
    call = ToolCall(id="call_1", name="get_weather", arguments='{"city": "Berlin"}')
    req = ChatRequest(
        model=MODEL,
        messages=[
            Message(role="user", content="Weather?"),
            Message(role="assistant", content="Let me check.", tool_calls=[call]),
        ],
    )
    model_turn = to_wire(req)["contents"][1]
    assert model_turn == {
        "role": "model",
        "parts": [
            {"text": "Let me check."},
            {"functionCall": {"name": "get_weather", "args": {"city": "Berlin"}}},
        ],
    }


def test_to_wire_names_tool_results_by_their_call_and_merges_parallel_results() -> None:
    calls = [
        ToolCall(id="a", name="get_weather", arguments="{}"),
        ToolCall(id="b", name="get_time", arguments=""),
    ]
    req = ChatRequest(
        model=MODEL,
        messages=[
            Message(role="user", content="Weather and time?"),
            Message(role="assistant", tool_calls=calls),
            Message(role="tool", tool_call_id="b", content="12:00"),
            Message(role="tool", tool_call_id="a", content='{"temp": 21}'),
        ],
    )
    contents = to_wire(req)["contents"]
    assert len(contents) == 3
    assert contents[1]["parts"][1] == {"functionCall": {"name": "get_time", "args": {}}}
    assert contents[2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "get_time", "response": {"output": "12:00"}}},
            {"functionResponse": {"name": "get_weather", "response": {"output": {"temp": 21}}}},
        ],
    }


def test_to_wire_declares_tools_with_json_schema() -> None:
    body = to_wire(ask("hi", tools=[WEATHER]))
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Current weather for a city.",
                    "parametersJsonSchema": WEATHER.parameters,
                }
            ]
        }
    ]
    assert "toolConfig" not in body


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (ToolChoice(mode="auto"), {"mode": "AUTO"}),
        (ToolChoice(mode="none"), {"mode": "NONE"}),
        (ToolChoice(mode="required"), {"mode": "ANY"}),
        (
            ToolChoice(mode="function", name="get_weather"),
            {"mode": "ANY", "allowedFunctionNames": ["get_weather"]},
        ),
    ],
)
def test_to_wire_maps_tool_choice_to_function_calling_config(choice: ToolChoice, expected: dict) -> None:
    body = to_wire(ask("hi", tools=[WEATHER], tool_choice=choice))
    assert body["toolConfig"] == {"functionCallingConfig": expected}


def test_to_wire_maps_sampling_parameters_to_generation_config() -> None:
    req = ask(
        "hi", temperature=0.2, top_p=0.9, max_tokens=50, stop=["END"], seed=7, user="u-1", metadata={"a": "b"}
    )
    body = to_wire(req)
    assert body["generationConfig"] == {
        "temperature": 0.2,
        "topP": 0.9,
        "maxOutputTokens": 50,
        "stopSequences": ["END"],
        "seed": 7,
    }
    # Gemini's Developer API has no end-user or metadata field: nothing else may leak into the body.
    assert set(body) == {"contents", "generationConfig"}


def test_to_wire_json_object_sets_json_mime_type() -> None:
    body = to_wire(ask("hi", response_format=ResponseFormat(type="json_object")))
    assert body["generationConfig"] == {"responseMimeType": "application/json"}


def test_to_wire_json_schema_sets_response_json_schema() -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    fmt = ResponseFormat(type="json_schema", schema_name="answer", json_schema=schema)
    body = to_wire(ask("hi", response_format=fmt))
    assert body["generationConfig"] == {"responseMimeType": "application/json", "responseJsonSchema": schema}


def test_to_wire_signs_replayed_calls_for_gemini_3_only() -> None:
    calls = [ToolCall(id="a", name="f", arguments="{}"), ToolCall(id="b", name="g", arguments="{}")]
    messages = [Message(role="user", content="go"), Message(role="assistant", tool_calls=calls)]
    signed = to_wire(ChatRequest(model="gemini-3-pro-preview", messages=messages))["contents"][1]["parts"]
    assert signed[0]["thoughtSignature"] == SKIP_SIGNATURE
    assert "thoughtSignature" not in signed[1]
    plain = to_wire(ChatRequest(model=MODEL, messages=messages))["contents"][1]["parts"]
    assert all("thoughtSignature" not in p for p in plain)


# ---- from_wire and map_error ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("BLOCKLIST", "content_filter"),
        ("PROHIBITED_CONTENT", "content_filter"),
        ("SPII", "content_filter"),
    ],
)
def test_from_wire_maps_finish_reasons(raw: str, reason: str) -> None:
    body = {"candidates": [{"content": {"role": "model", "parts": [{"text": "x"}]}, "finishReason": raw}]}
    assert from_wire(body).finish_reason == reason


def test_from_wire_counts_thinking_as_completion_and_skips_thought_text() -> None:
    body = {
        "responseId": "r1",
        "modelVersion": MODEL,
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"text": "pondering", "thought": True}, {"text": "Answer"}],
                },
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 2, "thoughtsTokenCount": 10},
    }
    response = from_wire(json.dumps(body).encode())
    assert (response.id, response.content) == ("r1", "Answer")
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (5, 12)


def test_from_wire_reports_blocked_prompt_as_content_filter() -> None:
    body = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 3}}
    response = from_wire(body)
    assert response.finish_reason == "content_filter"
    assert response.id.startswith("chatcmpl-")


def test_from_wire_rejects_invalid_json() -> None:
    with pytest.raises(UpstreamProtocolError):
        from_wire(b'{"candidates": [')


def test_map_error_treats_invalid_api_key_400_as_auth_error() -> None:
    body = {
        "error": {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
        }
    }
    error = map_error(httpx.Response(400, json=body))
    assert isinstance(error, UpstreamAuthError)
    assert "API_KEY_INVALID" in error.message


def test_map_error_reads_retry_info_and_never_copies_the_message() -> None:
    body = {
        "error": {
            "code": 429,
            "message": "quota exceeded for user secret@example.com",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "13s"}],
        }
    }
    error = map_error(httpx.Response(429, json=body))
    assert isinstance(error, UpstreamRateLimitError)
    assert error.retry_after == 13.0
    assert "RESOURCE_EXHAUSTED" in error.message
    assert "secret@example.com" not in error.message


# ---- against the mock -------------------------------------------------------------------------------------


async def test_complete_returns_text_usage_and_finish(provider: GeminiProvider) -> None:
    response = await provider.complete(ask("Hello there"))
    assert response.content == f"This is a mock answer from {MODEL} to: Hello there"
    assert response.finish_reason == "stop"
    assert response.usage.prompt_tokens == 2
    assert response.usage.completion_tokens == len(response.content.split())
    assert response.model == MODEL
    assert response.id


async def test_stream_assembles_the_same_text_with_usage_and_one_finish(provider: GeminiProvider) -> None:
    whole = await provider.complete(ask("Tell me a story please"))
    events = await collect(provider, ask("Tell me a story please"))
    texts = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(texts) > 1
    assert "".join(texts) == whole.content
    finishes = [e for e in events if isinstance(e, FinishEvent)]
    assert finishes == [FinishEvent(reason="stop")]
    assert events[-1] == finishes[0]
    usage = [e for e in events if isinstance(e, UsageEvent)]
    assert usage[0].prompt_tokens == whole.usage.prompt_tokens  # known from the first chunk
    assert usage[-1] == UsageEvent(
        prompt_tokens=whole.usage.prompt_tokens, completion_tokens=whole.usage.completion_tokens
    )


async def test_complete_returns_tool_call_with_json_arguments(provider: GeminiProvider) -> None:
    response = await provider.complete(ask("Weather in Berlin?", tools=[WEATHER]))
    assert response.finish_reason == "tool_calls"
    assert response.content is None
    [call] = response.tool_calls
    assert call.name == "get_weather"
    assert json.loads(call.arguments) == {"city": "mock"}
    assert call.id.startswith("call_")


async def test_stream_returns_tool_call_deltas(provider: GeminiProvider) -> None:
    events = await collect(provider, ask("Weather in Berlin?", tools=[WEATHER]))
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert len(deltas) == 1
    assert (deltas[0].index, deltas[0].name) == (0, "get_weather")
    assert deltas[0].id and deltas[0].id.startswith("call_")
    assert json.loads("".join(d.arguments for d in deltas)) == {"city": "mock"}
    assert events[-1] == FinishEvent(reason="tool_calls")


async def test_forced_tool_choice_calls_the_named_function(provider: GeminiProvider) -> None:
    other = Tool(name="get_time", parameters={"type": "object", "properties": {}})
    req = ask("Weather?", tools=[other, WEATHER], tool_choice=ToolChoice(mode="function", name="get_weather"))
    response = await provider.complete(req)
    assert [c.name for c in response.tool_calls] == ["get_weather"]


async def test_tool_choice_none_answers_with_text(provider: GeminiProvider) -> None:
    response = await provider.complete(ask("Weather?", tools=[WEATHER], tool_choice=ToolChoice(mode="none")))
    assert response.tool_calls == []
    assert response.finish_reason == "stop"


async def test_tool_result_round_trip_is_answered(provider: GeminiProvider) -> None:
    first = await provider.complete(ask("Weather in Berlin?", tools=[WEATHER]))
    call = first.tool_calls[0]
    req = ChatRequest(
        model=MODEL,
        tools=[WEATHER],
        messages=[
            Message(role="user", content="Weather in Berlin?"),
            Message(role="assistant", tool_calls=[call]),
            Message(role="tool", tool_call_id=call.id, content="sunny"),
        ],
    )
    response = await provider.complete(req)
    assert response.content == "The tool returned: sunny"
    assert response.finish_reason == "stop"


async def test_max_tokens_finishes_with_length(provider: GeminiProvider) -> None:
    response = await provider.complete(ask("Hello there", max_tokens=3))
    assert (response.content, response.finish_reason) == ("This is a", "length")
    events = await collect(provider, ask("Hello there", max_tokens=3))
    assert events[-1] == FinishEvent(reason="length")


async def test_json_object_returns_json(provider: GeminiProvider) -> None:
    response = await provider.complete(ask("Hello there", response_format=ResponseFormat(type="json_object")))
    assert json.loads(response.content or "") == {"answer": "mock reply to: Hello there"}


async def test_request_uses_api_version_path_and_key_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {
            "candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}]
        }
        return httpx.Response(200, json=body)

    config = ProviderConfig(
        name="gemini",
        kind="gemini",
        base_url="https://g.test/",
        api_key="secret",
        options={"api_version_path": "v1"},
    )
    adapter = GeminiProvider(config, transport=httpx.MockTransport(handler))
    assert (await adapter.complete(ask("hi"))).content == "ok"
    await adapter.aclose()
    assert str(seen[0].url) == f"https://g.test/v1/models/{MODEL}:generateContent"
    assert seen[0].headers["x-goog-api-key"] == "secret"


async def test_stream_requests_sse_and_raises_mid_stream_error() -> None:
    seen: list[httpx.Request] = []
    chunk = {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hel"}]}}]}
    error = {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}
    sse = f"data: {json.dumps(chunk)}\r\n\r\ndata: {json.dumps(error)}\r\n\r\n"

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text=sse, headers={"content-type": "text/event-stream"})

    config = ProviderConfig(name="gemini", kind="gemini", base_url="https://g.test", api_key="k")
    adapter = GeminiProvider(config, transport=httpx.MockTransport(handler))
    events: list[StreamEvent] = []
    with pytest.raises(UpstreamUnavailableError):
        async for event in adapter.stream(ask("hi")):
            events.append(event)
    await adapter.aclose()
    assert events == [TextDelta(text="Hel")]
    assert seen[0].url.path == f"/v1beta/models/{MODEL}:streamGenerateContent"
    assert seen[0].url.params["alt"] == "sse"


# ---- faults -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "cls"),
    [
        ("http_400", UpstreamBadRequestError),
        ("http_401", UpstreamAuthError),
        ("http_503", UpstreamUnavailableError),
        ("http_529", UpstreamUnavailableError),
        ("timeout", UpstreamTimeoutError),
    ],
)
async def test_fault_maps_to_gateway_error(
    provider: GeminiProvider, arm: Callable[[str], None], fault: str, cls: type
) -> None:
    arm(fault)
    with pytest.raises(cls):
        await provider.complete(ask("hi"))


async def test_http_500_maps_to_plain_upstream_error(
    provider: GeminiProvider, arm: Callable[[str], None]
) -> None:
    arm("http_500")
    with pytest.raises(UpstreamError) as info:
        await provider.complete(ask("hi"))
    assert type(info.value) is UpstreamError
    assert "INTERNAL" in info.value.message


async def test_http_429_maps_to_rate_limit_with_retry_after(
    provider: GeminiProvider, arm: Callable[[str], None]
) -> None:
    arm("http_429")
    with pytest.raises(UpstreamRateLimitError) as info:
        await provider.complete(ask("hi"))
    assert info.value.retry_after == 1.0


async def test_stream_http_429_raises_before_any_event(
    provider: GeminiProvider, arm: Callable[[str], None]
) -> None:
    arm("http_429")
    with pytest.raises(UpstreamRateLimitError):
        await collect(provider, ask("hi"))


@pytest.mark.parametrize("fault", ["reset", "malformed"])
async def test_broken_body_maps_to_protocol_error(
    provider: GeminiProvider, arm: Callable[[str], None], fault: str
) -> None:
    arm(fault)
    with pytest.raises(UpstreamProtocolError):
        await provider.complete(ask("hi"))


async def test_malformed_stream_chunk_raises_protocol_error(
    provider: GeminiProvider, arm: Callable[[str], None]
) -> None:
    arm("malformed")
    with pytest.raises(UpstreamProtocolError):
        await collect(provider, ask("Tell me a story please"))


async def test_cut_stream_raises_protocol_error_after_some_text(
    provider: GeminiProvider, arm: Callable[[str], None]
) -> None:
    arm("cut_stream")
    events: list[StreamEvent] = []
    with pytest.raises(UpstreamProtocolError):
        async for event in provider.stream(ask("Tell me a long story please")):
            events.append(event)
    assert any(isinstance(e, TextDelta) for e in events)
    assert not any(isinstance(e, FinishEvent) for e in events)
