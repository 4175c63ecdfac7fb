"""The OpenAI adapter against the OpenAI mock (and httpx.MockTransport where exact bytes matter)."""

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
from gateway.mock.openai import create_app
from gateway.mock.server import MockServer
from gateway.providers.base import ProviderConfig
from gateway.providers.openai_compat import OpenAIProvider
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

WEATHER = Tool(
    name="get_weather",
    description="Weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
HELLO = [Message(role="system", content="Be brief."), Message(role="user", content="Hello there, mock")]


def _request(**fields: Any) -> ChatRequest:
    return ChatRequest(**{"model": "gpt-4o", "messages": HELLO, **fields})


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(create_app()) as running:
        yield running


def _config(base_url: str, **overrides: Any) -> ProviderConfig:
    fields: dict[str, Any] = {"name": "openai", "kind": "openai", "base_url": base_url, "api_key": "sk-test"}
    return ProviderConfig(**{**fields, **overrides})


@pytest.fixture
async def provider(server: MockServer) -> AsyncIterator[OpenAIProvider]:
    adapter = OpenAIProvider(_config(server.url + "/v1"))
    yield adapter
    await adapter.aclose()


class _FaultHeaderTransport(httpx.AsyncHTTPTransport):
    """A real transport that adds `x-mock-fault` to every request, so one test's fault never leaks."""

    def __init__(self, fault: str) -> None:
        super().__init__()
        self.fault = fault

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["x-mock-fault"] = self.fault
        return await super().handle_async_request(request)


async def _faulted(server: MockServer, fault: str, **overrides: Any) -> OpenAIProvider:
    """An adapter against the mock whose every request asks for `fault`."""
    return OpenAIProvider(_config(server.url + "/v1", **overrides), transport=_FaultHeaderTransport(fault))


async def _collect(adapter: OpenAIProvider, req: ChatRequest) -> list[StreamEvent]:
    return [event async for event in adapter.stream(req)]


def _tool_calls(events: list[StreamEvent]) -> dict[int, dict[str, str]]:
    calls: dict[int, dict[str, str]] = {}
    for event in events:
        if isinstance(event, ToolCallDelta):
            call = calls.setdefault(event.index, {"id": "", "name": "", "arguments": ""})
            call["id"] += event.id or ""
            call["name"] += event.name or ""
            call["arguments"] += event.arguments
    return calls


# ---- against the mock -----------------------------------------------------------------------------------


async def test_openai_complete_returns_text_usage_and_finish(provider: OpenAIProvider) -> None:
    response = await provider.complete(_request())
    assert response.content == "This is a mock answer from gpt-4o to: Hello there, mock"
    assert response.id.startswith("chatcmpl-") and response.model == "gpt-4o"
    assert response.finish_reason == "stop"
    assert response.usage.prompt_tokens == 5
    assert response.usage.completion_tokens == len(response.content.split())


async def test_openai_stream_assembles_same_text_with_usage_and_one_finish(provider: OpenAIProvider) -> None:
    expected = await provider.complete(_request())
    events = await _collect(provider, _request())
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    usage = [e for e in events if isinstance(e, UsageEvent)]
    assert text == expected.content
    assert len([e for e in events if isinstance(e, TextDelta)]) > 1
    assert [e for e in events if isinstance(e, FinishEvent)] == [FinishEvent(reason="stop")]
    assert usage and usage[-1].prompt_tokens == expected.usage.prompt_tokens
    assert usage[-1].completion_tokens == expected.usage.completion_tokens


async def test_openai_complete_tool_call_has_valid_json_arguments(provider: OpenAIProvider) -> None:
    response = await provider.complete(_request(tools=[WEATHER]))
    assert response.finish_reason == "tool_calls"
    assert [c.name for c in response.tool_calls] == ["get_weather"]
    assert response.tool_calls[0].id.startswith("call_")
    assert json.loads(response.tool_calls[0].arguments) == {"city": "mock"}


async def test_openai_stream_tool_call_sends_id_and_name_once(provider: OpenAIProvider) -> None:
    events = await _collect(provider, _request(tools=[WEATHER]))
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert deltas[0].id and deltas[0].name == "get_weather"
    assert len(deltas) > 2 and all(d.id is None and d.name is None for d in deltas[1:])
    assert json.loads(_tool_calls(events)[0]["arguments"]) == {"city": "mock"}
    assert [e for e in events if isinstance(e, FinishEvent)] == [FinishEvent(reason="tool_calls")]
    assert any(isinstance(e, UsageEvent) and e.completion_tokens for e in events)


async def test_openai_tool_result_turn_is_answered_with_text(provider: OpenAIProvider) -> None:
    call = ToolCall(id="call_1", name="get_weather", arguments='{"city": "Berlin"}')
    messages = [
        *HELLO,
        Message(role="assistant", tool_calls=[call]),
        Message(role="tool", tool_call_id="call_1", content="sunny"),
    ]
    response = await provider.complete(_request(messages=messages, tools=[WEATHER]))
    assert response.content == "The tool returned: sunny"
    assert response.tool_calls == []


async def test_openai_forced_tool_choice_reaches_the_mock(provider: OpenAIProvider) -> None:
    other = Tool(name="get_time", parameters={"type": "object", "properties": {}})
    req = _request(tools=[WEATHER, other], tool_choice=ToolChoice(mode="function", name="get_time"))
    response = await provider.complete(req)
    assert [c.name for c in response.tool_calls] == ["get_time"]


async def test_openai_tool_choice_none_answers_with_text(provider: OpenAIProvider) -> None:
    response = await provider.complete(_request(tools=[WEATHER], tool_choice=ToolChoice(mode="none")))
    assert response.tool_calls == [] and response.content


async def test_openai_json_mode_returns_json(provider: OpenAIProvider) -> None:
    response = await provider.complete(_request(response_format=ResponseFormat(type="json_object")))
    assert "answer" in json.loads(response.content or "")


async def test_openai_max_tokens_cuts_with_length_finish(provider: OpenAIProvider) -> None:
    response = await provider.complete(_request(max_tokens=3))
    assert response.finish_reason == "length"
    assert response.content == "This is a"


async def test_openai_stop_sequence_reaches_the_mock(provider: OpenAIProvider) -> None:
    response = await provider.complete(_request(stop=["mock answer"]))
    assert response.content == "This is a "


# ---- faults ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error_type"),
    [
        ("http_400", UpstreamBadRequestError),
        ("http_401", UpstreamAuthError),
        ("http_500", UpstreamError),
        ("http_503", UpstreamUnavailableError),
        ("reset", UpstreamProtocolError),
        ("malformed", UpstreamProtocolError),
        ("cut_stream", UpstreamProtocolError),
    ],
)
async def test_openai_complete_maps_fault(
    server: MockServer, fault: str, error_type: type[UpstreamError]
) -> None:
    adapter = await _faulted(server, fault)
    with pytest.raises(error_type) as caught:
        await adapter.complete(_request())
    await adapter.aclose()
    assert type(caught.value) is error_type
    assert caught.value.provider == "openai"


@pytest.mark.parametrize(
    ("fault", "error_type"),
    [
        ("http_429", UpstreamRateLimitError),
        ("http_503", UpstreamUnavailableError),
        ("cut_stream", UpstreamProtocolError),
        ("malformed", UpstreamProtocolError),
        ("reset", UpstreamProtocolError),
    ],
)
async def test_openai_stream_maps_fault(
    server: MockServer, fault: str, error_type: type[UpstreamError]
) -> None:
    adapter = await _faulted(server, fault)
    with pytest.raises(error_type) as caught:
        await _collect(adapter, _request())
    await adapter.aclose()
    assert type(caught.value) is error_type


async def test_openai_cut_stream_raises_after_some_text(server: MockServer) -> None:
    adapter = await _faulted(server, "cut_stream")
    seen: list[StreamEvent] = []
    with pytest.raises(UpstreamProtocolError):
        async for event in adapter.stream(_request()):
            seen.append(event)
    await adapter.aclose()
    assert any(isinstance(e, TextDelta) for e in seen)
    assert not any(isinstance(e, FinishEvent) for e in seen)


async def test_openai_rate_limit_keeps_retry_after(server: MockServer) -> None:
    adapter = await _faulted(server, "http_429")
    with pytest.raises(UpstreamRateLimitError) as caught:
        await adapter.complete(_request())
    await adapter.aclose()
    assert caught.value.retry_after == 1.0
    assert "rate_limit_exceeded" in caught.value.message


async def test_openai_timeout_maps_to_upstream_timeout(server: MockServer) -> None:
    adapter = await _faulted(server, "timeout", read_timeout=0.5)
    with pytest.raises(UpstreamTimeoutError):
        await adapter.complete(_request())
    await adapter.aclose()


async def test_openai_fault_armed_through_control_endpoint(
    server: MockServer, provider: OpenAIProvider
) -> None:
    async with httpx.AsyncClient(base_url=server.url) as control:
        armed = await control.post("/_mock/faults", json={"fault": "http_503", "count": 1})
        assert armed.status_code == 200
        with pytest.raises(UpstreamUnavailableError):
            await _collect(provider, _request())
        assert (await control.get("/_mock/faults")).json()["armed"] == []
    assert (await provider.complete(_request())).content  # the fault was consumed by one request


async def test_openai_unknown_model_is_a_bad_request(provider: OpenAIProvider) -> None:
    with pytest.raises(UpstreamBadRequestError) as caught:
        await provider.complete(_request(model="unknown-model"))
    assert "model_not_found" in caught.value.message


async def test_openai_keyless_config_is_refused_by_the_mock(server: MockServer) -> None:
    adapter = OpenAIProvider(_config(server.url + "/v1", api_key=None))
    with pytest.raises(UpstreamAuthError):
        await adapter.complete(_request())
    await adapter.aclose()


async def test_openai_azure_options_reach_the_deployment_route(server: MockServer) -> None:
    options = {
        "auth_header": "api-key",
        "api_version": "2024-10-21",
        "chat_path": "/openai/deployments/gpt-4o/chat/completions",
    }
    adapter = OpenAIProvider(_config(server.url, kind="openai_compatible", options=options))
    response = await adapter.complete(_request())
    events = await _collect(adapter, _request())
    await adapter.aclose()
    assert response.content == "This is a mock answer from gpt-4o to: Hello there, mock"
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == response.content


async def test_openai_deployment_route_without_api_version_is_refused(server: MockServer) -> None:
    options = {"auth_header": "api-key", "chat_path": "/openai/deployments/gpt-4o/chat/completions"}
    adapter = OpenAIProvider(_config(server.url, options=options))
    with pytest.raises(UpstreamBadRequestError):
        await adapter.complete(_request())
    await adapter.aclose()
