"""The official `openai` SDK against the OpenAI mock: if the SDK parses it, the mock speaks the protocol."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import openai
import pytest

from gateway.mock.openai import create_app
from gateway.mock.server import MockServer

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"],
        },
    },
}
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there, mock"}]


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(create_app()) as running:
        yield running


@pytest.fixture
def client(server: MockServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key="k", max_retries=0)


def test_openai_sdk_parses_non_stream_text(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    choice = completion.choices[0]
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    assert choice.message.role == "assistant"
    assert choice.message.content == "This is a mock answer from gpt-4o-mini to: Hello there, mock"
    assert choice.finish_reason == "stop"
    assert completion.usage is not None
    assert (
        completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    assert completion.usage.prompt_tokens == 5  # "Be brief." + "Hello there, mock"


def test_openai_sdk_stream_text_matches_non_stream_and_reports_usage(client: openai.OpenAI) -> None:
    expected = client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    stream = client.chat.completions.create(
        model="gpt-4o", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert text == expected.choices[0].message.content
    assert len(chunks) > 3
    assert finishes == ["stop"]
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == expected.usage.completion_tokens  # type: ignore[union-attr]
    assert all(c.usage is None for c in chunks[:-1])


def test_openai_sdk_stream_without_include_usage_has_no_usage_chunk(client: openai.OpenAI) -> None:
    chunks = list(client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True))
    assert all(c.choices for c in chunks)
    assert all(c.usage is None for c in chunks)


def test_openai_sdk_parses_non_stream_tool_call(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, tools=[WEATHER_TOOL])  # type: ignore[list-item]
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls or []
    assert len(calls) == 1
    assert calls[0].id.startswith("call_")
    assert calls[0].function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(calls[0].function.arguments) == {"city": "mock", "days": 1}  # type: ignore[union-attr]


def test_openai_sdk_assembles_streamed_tool_call(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o",
        messages=MESSAGES,
        tools=[WEATHER_TOOL],
        stream=True,
        stream_options={"include_usage": True},  # type: ignore[list-item]
    )
    ids, names, arguments, finish = [], [], "", None
    for chunk in stream:
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or []:
                assert call.index == 0
                ids += [call.id] if call.id else []
                names += [call.function.name] if call.function and call.function.name else []
                arguments += (call.function.arguments or "") if call.function else ""
            finish = choice.finish_reason or finish
    assert len(ids) == 1 and names == ["get_weather"]
    assert json.loads(arguments) == {"city": "mock", "days": 1}
    assert finish == "tool_calls"


def test_openai_sdk_stream_helper_accumulates_final_completion(client: openai.OpenAI) -> None:
    # The SDK's own accumulator rejects chunks it cannot merge, so this checks the chunk shapes end to end.
    with client.chat.completions.stream(
        model="gpt-4o",
        messages=MESSAGES,
        tools=[WEATHER_TOOL],
        stream_options={"include_usage": True},  # type: ignore[list-item]
    ) as stream:
        final = stream.get_final_completion()
    call = (final.choices[0].message.tool_calls or [])[0]
    assert call.function.arguments == '{"city": "mock", "days": 1}'  # type: ignore[union-attr]
    assert final.usage is not None and final.usage.completion_tokens > 0


def test_openai_sdk_tool_result_turn_answers_with_text(client: openai.OpenAI) -> None:
    messages = [
        *MESSAGES,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    completion = client.chat.completions.create(model="gpt-4o", messages=messages, tools=[WEATHER_TOOL])  # type: ignore[arg-type,list-item]
    assert completion.choices[0].message.content == "The tool returned: sunny"
    assert completion.choices[0].finish_reason == "stop"


def test_openai_sdk_lists_models(client: openai.OpenAI) -> None:
    models = [m.id for m in client.models.list()]
    assert "gpt-4o" in models


def test_openai_sdk_raises_authentication_error_without_key(server: MockServer) -> None:
    response = httpx.post(server.url + "/v1/chat/completions", json={"model": "gpt-4o", "messages": MESSAGES})
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}


@pytest.mark.parametrize(
    ("fault", "exc_type", "status"),
    [
        ("http_400", openai.BadRequestError, 400),
        ("http_401", openai.AuthenticationError, 401),
        ("http_429", openai.RateLimitError, 429),
        ("http_500", openai.InternalServerError, 500),
        ("http_503", openai.InternalServerError, 503),
    ],
)
def test_openai_sdk_raises_its_error_class_for_fault(
    client: openai.OpenAI, fault: str, exc_type: type[openai.APIStatusError], status: int
) -> None:
    with pytest.raises(exc_type) as caught:
        client.chat.completions.create(
            model="gpt-4o", messages=MESSAGES, extra_headers={"x-mock-fault": fault}
        )
    assert caught.value.status_code == status
    assert isinstance(caught.value.body, dict) and "type" in caught.value.body


def test_openai_sdk_rate_limit_carries_retry_headers(client: openai.OpenAI) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(
            model="gpt-4o", messages=MESSAGES, extra_headers={"x-mock-fault": "http_429"}
        )
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.response.headers["retry-after"] == "1"
    assert caught.value.response.headers["x-ratelimit-remaining-requests"] == "0"


def test_openai_sdk_raises_not_found_for_unknown_model(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="unknown-model", messages=MESSAGES)
    assert caught.value.code == "model_not_found"


def test_openai_sdk_raises_bad_request_for_empty_messages(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[])
    assert caught.value.param == "messages"


def test_openai_sdk_azure_client_uses_api_key_header_and_api_version(server: MockServer) -> None:
    azure = openai.AzureOpenAI(
        azure_endpoint=server.url,
        api_key="k",
        api_version="2024-10-21",
        azure_deployment="gpt-4o",
        max_retries=0,
    )
    completion = azure.chat.completions.create(model="gpt-4o", messages=MESSAGES)  # type: ignore[arg-type]
    assert completion.choices[0].message.content == "This is a mock answer from gpt-4o to: Hello there, mock"


def test_openai_sdk_stream_cut_midway_has_no_done(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o", messages=MESSAGES, stream=True, extra_headers={"x-mock-fault": "cut_stream"}
    )
    chunks = list(stream)  # the SDK tolerates a missing [DONE]; the gateway's adapter must not
    assert chunks and all(c.choices[0].finish_reason is None for c in chunks)
