"""The official `anthropic` SDK against the Anthropic mock: the SDK parsing it proves the mock's protocol."""

from __future__ import annotations

import json
from collections.abc import Iterator

import anthropic
import httpx
import pytest
from anthropic.types import MessageParam, ToolParam, ToolResultBlockParam

from gateway.mock.anthropic import create_app
from gateway.mock.server import MockServer

MODEL = "claude-mock-1"
WEATHER_TOOL: ToolParam = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "unit"],
    },
}
HELLO: list[MessageParam] = [{"role": "user", "content": "Hello from the contract tests"}]


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(create_app()) as mock:
        yield mock


@pytest.fixture
def client(server: MockServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="test-key", base_url=server.url, max_retries=0)


def test_create_returns_text_message(client: anthropic.Anthropic) -> None:
    message = client.messages.create(model=MODEL, max_tokens=200, messages=HELLO)
    assert message.type == "message" and message.role == "assistant" and message.model == MODEL
    assert message.id.startswith("msg_")
    assert [b.type for b in message.content] == ["text"]
    assert "Hello from the contract tests" in message.content[0].text  # type: ignore[union-attr]
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0


def test_stream_text_equals_create_text_and_reports_usage(client: anthropic.Anthropic) -> None:
    whole = client.messages.create(model=MODEL, max_tokens=200, messages=HELLO)
    with client.messages.stream(model=MODEL, max_tokens=200, messages=HELLO) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 1
    assert "".join(pieces) == whole.content[0].text  # type: ignore[union-attr]
    assert final.stop_reason == "end_turn"
    assert final.usage.input_tokens == whole.usage.input_tokens
    assert final.usage.output_tokens == whole.usage.output_tokens


def test_stream_follows_the_documented_event_order(client: anthropic.Anthropic) -> None:
    events = list(client.messages.create(model=MODEL, max_tokens=200, messages=HELLO, stream=True))
    kinds = [e.type for e in events]  # the SDK swallows `ping`
    assert kinds[:2] == ["message_start", "content_block_start"]
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(kinds[2:-3]) == {"content_block_delta"}
    assert events[0].message.usage.input_tokens > 0  # type: ignore[union-attr]
    assert events[0].message.stop_reason is None  # type: ignore[union-attr]


def test_raw_stream_names_events_and_pings(server: MockServer) -> None:
    response = httpx.post(
        server.url + "/v1/messages",
        headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
        json={"model": MODEL, "max_tokens": 100, "stream": True, "messages": HELLO},
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    frames = [f for f in response.text.split("\n\n") if f]
    names = [f.splitlines()[0].removeprefix("event: ") for f in frames]
    types = [json.loads(f.splitlines()[1].removeprefix("data: "))["type"] for f in frames]
    assert names == types  # every `event:` line matches its data's `type`
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert names[-1] == "message_stop"


def test_create_with_tools_returns_tool_use(client: anthropic.Anthropic) -> None:
    message = client.messages.create(
        model=MODEL,
        max_tokens=200,
        messages=[{"role": "user", "content": "Weather in Berlin?"}],
        tools=[WEATHER_TOOL],
    )
    assert message.stop_reason == "tool_use"
    block = message.content[-1]
    assert block.type == "tool_use"
    assert block.id.startswith("toolu_") and block.name == "get_weather"
    assert block.input == {"city": "mock", "unit": "celsius"}


def test_stream_with_tools_assembles_tool_input(client: anthropic.Anthropic) -> None:
    messages: list[MessageParam] = [{"role": "user", "content": "Weather in Berlin?"}]
    with client.messages.stream(
        model=MODEL, max_tokens=200, messages=messages, tools=[WEATHER_TOOL]
    ) as stream:
        kinds = [e.type for e in stream]
        final = stream.get_final_message()
    assert "input_json" in kinds  # the SDK's event for input_json_delta
    assert final.stop_reason == "tool_use"
    assert final.content[-1].input == {"city": "mock", "unit": "celsius"}  # type: ignore[union-attr]


def test_tool_result_turn_gets_text_answer(client: anthropic.Anthropic) -> None:
    first = client.messages.create(
        model=MODEL, max_tokens=200, messages=[{"role": "user", "content": "Weather?"}], tools=[WEATHER_TOOL]
    )
    call = first.content[-1]
    assert call.type == "tool_use"
    result: ToolResultBlockParam = {
        "type": "tool_result",
        "tool_use_id": call.id,
        "content": "sunny, 21 degrees",
    }
    second = client.messages.create(
        model=MODEL,
        max_tokens=200,
        tools=[WEATHER_TOOL],
        messages=[
            {"role": "user", "content": "Weather?"},
            first.to_param(),
            {"role": "user", "content": [result]},
        ],
    )
    assert second.stop_reason == "end_turn"
    assert "sunny, 21 degrees" in second.content[0].text  # type: ignore[union-attr]


def test_tool_result_for_unknown_call_is_rejected(client: anthropic.Anthropic) -> None:
    result: ToolResultBlockParam = {"type": "tool_result", "tool_use_id": "toolu_unknown", "content": "x"}
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model=MODEL, max_tokens=50, messages=[{"role": "user", "content": [result]}])


def test_stop_sequence_and_max_tokens_stop_reasons(client: anthropic.Anthropic) -> None:
    stopped = client.messages.create(model=MODEL, max_tokens=200, messages=HELLO, stop_sequences=["answer"])
    assert stopped.stop_reason == "stop_sequence" and stopped.stop_sequence == "answer"
    assert "answer" not in stopped.content[0].text  # type: ignore[union-attr]
    cut = client.messages.create(model=MODEL, max_tokens=2, messages=HELLO)
    assert cut.stop_reason == "max_tokens"


@pytest.mark.parametrize(
    ("fault", "error_class", "error_type"),
    [
        ("http_400", anthropic.BadRequestError, "invalid_request_error"),
        ("http_401", anthropic.AuthenticationError, "authentication_error"),
        ("http_429", anthropic.RateLimitError, "rate_limit_error"),
        ("http_500", anthropic.InternalServerError, "api_error"),
        ("http_503", anthropic.InternalServerError, "api_error"),
        ("http_529", anthropic.InternalServerError, "overloaded_error"),
    ],
)
def test_faults_raise_the_sdk_error_class(
    client: anthropic.Anthropic, fault: str, error_class: type[anthropic.APIStatusError], error_type: str
) -> None:
    with pytest.raises(error_class) as caught:
        client.messages.create(
            model=MODEL, max_tokens=50, messages=HELLO, extra_headers={"x-mock-fault": fault}
        )
    error = caught.value
    assert error.status_code == int(fault.removeprefix("http_"))
    assert error.request_id and error.request_id.startswith("req_")
    assert isinstance(error.body, dict) and error.body["type"] == "error"
    assert error.body["error"]["type"] == error_type
    assert error.body["request_id"] == error.request_id


def test_overloaded_is_the_sdk_overloaded_error(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.OverloadedError):
        client.messages.create(
            model=MODEL, max_tokens=50, messages=HELLO, extra_headers={"x-mock-fault": "http_529"}
        )


def test_rate_limit_carries_retry_after(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(
            model=MODEL, max_tokens=50, messages=HELLO, extra_headers={"x-mock-fault": "http_429"}
        )
    assert caught.value.response.headers["retry-after"] == "1"


def test_missing_api_key_is_401_in_anthropic_shape(server: MockServer) -> None:
    response = httpx.post(
        server.url + "/v1/messages",
        headers={"anthropic-version": "2023-06-01"},
        json={"model": MODEL, "max_tokens": 10, "messages": HELLO},
    )
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "authentication_error"
    assert response.headers["request-id"] == body["request_id"]


def test_missing_version_header_is_400(server: MockServer) -> None:
    response = httpx.post(
        server.url + "/v1/messages",
        headers={"x-api-key": "k"},
        json={"model": MODEL, "max_tokens": 10, "messages": HELLO},
    )
    assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_request_error"


def test_missing_max_tokens_is_rejected(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model=MODEL, messages=HELLO, max_tokens=0)
