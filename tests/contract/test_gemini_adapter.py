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
