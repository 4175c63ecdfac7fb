"""One scenario list, run over every provider adapter against its own protocol's mock: whatever the wire
format, the canonical behaviour is the same."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from gateway.errors import (
    UpstreamError,
    UpstreamProtocolError,
    UpstreamRateLimitError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from gateway.mock.demo import mock_app
from gateway.mock.server import MockServer
from gateway.providers.base import Provider, ProviderConfig
from gateway.providers.registry import MOCK_PROTOCOL, create_provider
from gateway.streaming import StreamAccumulator
from gateway.types import ChatRequest, Message, Tool, ToolCall

KINDS = ["openai", "openai_compatible", "anthropic", "gemini", "ollama"]
WEATHER = Tool(
    name="get_weather",
    description="weather",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


@pytest.fixture(scope="module")
def mocks() -> Iterator[dict[str, MockServer]]:
    servers = {p: MockServer(mock_app(p)).start() for p in ("openai", "anthropic", "gemini", "ollama")}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(params=KINDS)
async def adapter(request: pytest.FixtureRequest, mocks: dict[str, MockServer]) -> Provider:  # type: ignore[misc]
    kind = request.param
    protocol, suffix = MOCK_PROTOCOL[kind]
    httpx.delete(mocks[protocol].url + "/_mock/faults")  # noqa: ASYNC210  the mock serves from its own thread, so a blocking call cannot stall it
    config = ProviderConfig(
        name=kind, kind=kind, base_url=mocks[protocol].url + suffix, api_key="k", read_timeout=0.5
    )
    provider = create_provider(config)
    provider.mock_url = mocks[protocol].url  # type: ignore[attr-defined]
    yield provider
    await provider.aclose()
    httpx.delete(mocks[protocol].url + "/_mock/faults")  # noqa: ASYNC210  the mock serves from its own thread, so a blocking call cannot stall it


def _request(text: str, **kwargs: object) -> ChatRequest:
    return ChatRequest(model="mock-model", messages=[Message(role="user", content=text)], **kwargs)  # type: ignore[arg-type]


async def _collect(adapter: Provider, request: ChatRequest) -> StreamAccumulator:
    accumulator = StreamAccumulator("id", request.model, 0)
    async for event in adapter.stream(request):
        accumulator.add(event)
    return accumulator


def _arm(adapter: Provider, fault: str) -> None:
    httpx.post(adapter.mock_url + "/_mock/faults", json={"fault": fault}).raise_for_status()  # type: ignore[attr-defined]


async def test_complete_and_stream_agree(adapter: Provider) -> None:
    request = _request("Guten Morgen aus Köln")
    response = await adapter.complete(request)
    streamed = await _collect(adapter, request)
    assert "Guten Morgen aus Köln" in (response.content or "")
    assert streamed.text == response.content
    assert streamed.finish_reason == response.finish_reason == "stop"
    assert streamed.usage.completion_tokens == response.usage.completion_tokens > 0
    assert streamed.usage.prompt_tokens == response.usage.prompt_tokens > 0


async def test_tool_call_arrives_with_json_arguments(adapter: Provider) -> None:
    request = _request("Wetter in Bonn?", tools=[WEATHER])
    response = await adapter.complete(request)
    streamed = (await _collect(adapter, request)).response()
    for result in (response, streamed):
        assert result.finish_reason == "tool_calls"
        assert result.tool_calls[0].name == "get_weather"
        assert json.loads(result.tool_calls[0].arguments) == {"city": "mock"}
        assert result.tool_calls[0].id


async def test_tool_result_is_answered(adapter: Provider) -> None:
    call = ToolCall(id="call_1", name="get_weather", arguments='{"city": "Bonn"}')
    request = ChatRequest(
        model="mock-model",
        tools=[WEATHER],
        messages=[
            Message(role="system", content="Antworte kurz."),
            Message(role="user", content="Wetter in Bonn?"),
            Message(role="assistant", tool_calls=[call]),
            Message(role="tool", tool_call_id="call_1", content="12 Grad, Regen"),
        ],
    )
    response = await adapter.complete(request)
    assert "12 Grad, Regen" in (response.content or "")


async def test_max_tokens_cuts_with_length(adapter: Provider) -> None:
    response = await adapter.complete(_request("eins zwei drei vier fünf sechs sieben acht", max_tokens=3))
    assert response.finish_reason == "length"


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("http_429", UpstreamRateLimitError),
        ("http_503", UpstreamUnavailableError),
        ("http_500", UpstreamError),
        ("timeout", UpstreamTimeoutError),
        ("malformed", UpstreamError),
    ],
)
async def test_faults_map_to_gateway_errors(
    adapter: Provider, fault: str, error: type[UpstreamError]
) -> None:
    _arm(adapter, fault)
    with pytest.raises(error) as info:
        await adapter.complete(_request("hallo"))
    assert info.value.retryable


async def test_stream_cut_midway_raises_protocol_error(adapter: Provider) -> None:
    _arm(adapter, "cut_stream")
    with pytest.raises(UpstreamProtocolError):
        await _collect(adapter, _request("eins zwei drei vier fünf sechs sieben acht neun zehn"))
