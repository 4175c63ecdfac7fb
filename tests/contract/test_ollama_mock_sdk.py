"""The official `ollama` client against the mock Ollama server: if the SDK parses it, the mock speaks it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import ollama
import pytest

from gateway.mock.ollama import create_app
from gateway.mock.server import MockServer

MODEL = "llama3.2"
QUESTION = [{"role": "user", "content": "Why is the sky blue over Berlin today?"}]
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(create_app()) as running:
        yield running


@pytest.fixture
def client(server: MockServer) -> ollama.Client:
    return ollama.Client(host=server.url)


def faulty(server: MockServer, fault: str) -> ollama.Client:
    return ollama.Client(host=server.url, headers={"x-mock-fault": fault})


def test_chat_returns_text_and_counts(client: ollama.Client) -> None:
    response = client.chat(model=MODEL, messages=QUESTION)
    assert response.done is True
    assert response.done_reason == "stop"
    assert response.message.role == "assistant"
    assert "Why is the sky blue" in (response.message.content or "")
    assert response.prompt_eval_count and response.prompt_eval_count > 0
    assert response.eval_count and response.eval_count > 0


def test_stream_assembles_the_same_text_and_reports_counts_last(client: ollama.Client) -> None:
    expected = client.chat(model=MODEL, messages=QUESTION)
    chunks = list(client.chat(model=MODEL, messages=QUESTION, stream=True))
    assert len(chunks) > 2
    assert all(c.done is False for c in chunks[:-1])
    assert "".join(c.message.content or "" for c in chunks) == expected.message.content
    last = chunks[-1]
    assert last.done is True and last.done_reason == "stop"
    assert last.eval_count == expected.eval_count and last.prompt_eval_count == expected.prompt_eval_count


def test_num_predict_cuts_the_answer_with_done_reason_length(client: ollama.Client) -> None:
    response = client.chat(model=MODEL, messages=QUESTION, options={"num_predict": 3})
    assert response.done_reason == "length"
    assert len((response.message.content or "").split()) == 3


def test_tool_call_has_arguments_as_an_object(client: ollama.Client) -> None:
    response = client.chat(model=MODEL, messages=QUESTION, tools=[WEATHER_TOOL])
    calls = response.message.tool_calls or []
    assert len(calls) == 1
    assert calls[0].function.name == "get_weather"
    assert dict(calls[0].function.arguments) == {"city": "mock"}


def test_streamed_tool_call_arrives_whole_in_one_chunk(client: ollama.Client) -> None:
    chunks = list(client.chat(model=MODEL, messages=QUESTION, tools=[WEATHER_TOOL], stream=True))
    with_calls = [c for c in chunks if c.message.tool_calls]
    assert len(with_calls) == 1
    assert with_calls[0].message.tool_calls[0].function.name == "get_weather"  # type: ignore[index]
    assert dict(with_calls[0].message.tool_calls[0].function.arguments) == {"city": "mock"}  # type: ignore[index]
    assert chunks[-1].done is True


def test_tool_result_message_gets_a_text_answer(client: ollama.Client) -> None:
    messages = [
        *QUESTION,
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"function": {"name": "get_weather", "arguments": {}}}],
        },
        {"role": "tool", "tool_name": "get_weather", "content": "12 degrees and rain"},
    ]
    response = client.chat(model=MODEL, messages=messages, tools=[WEATHER_TOOL])
    assert not response.message.tool_calls
    assert "12 degrees and rain" in (response.message.content or "")


def test_json_format_returns_json_text(client: ollama.Client) -> None:
    response = client.chat(model=MODEL, messages=QUESTION, format="json")
    assert response.message.content and response.message.content.startswith("{")


def test_list_and_version_answer(client: ollama.Client, server: MockServer) -> None:
    assert any(m.model == "llama3.2:latest" for m in client.list().models)
    assert httpx.get(server.url + "/api/version").json()["version"]
    assert httpx.get(server.url + "/").text == "Ollama is running"


def test_no_auth_header_is_needed(server: MockServer) -> None:
    response = httpx.post(
        server.url + "/api/chat", json={"model": MODEL, "messages": QUESTION, "stream": False}
    )
    assert response.status_code == 200


def test_unknown_model_raises_404(client: ollama.Client) -> None:
    with pytest.raises(ollama.ResponseError) as caught:
        client.chat(model="missing-model", messages=QUESTION)
    assert caught.value.status_code == 404
    assert "not found" in caught.value.error


def test_request_without_messages_is_400_in_ollama_shape(server: MockServer) -> None:
    response = httpx.post(server.url + "/api/chat", json={"model": MODEL})
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(
    ("fault", "status"),
    [("http_400", 400), ("http_401", 401), ("http_429", 429), ("http_500", 500), ("http_503", 503)],
)
def test_error_status_raises_response_error(server: MockServer, fault: str, status: int) -> None:
    with pytest.raises(ollama.ResponseError) as caught:
        faulty(server, fault).chat(model=MODEL, messages=QUESTION)
    assert caught.value.status_code == status
    assert caught.value.error  # the SDK read the `error` text out of Ollama's JSON


def test_error_status_raises_response_error_when_streaming(server: MockServer) -> None:
    with pytest.raises(ollama.ResponseError) as caught:
        list(faulty(server, "http_503").chat(model=MODEL, messages=QUESTION, stream=True))
    assert caught.value.status_code == 503


def test_rate_limit_carries_retry_after(server: MockServer) -> None:
    response = httpx.post(
        server.url + "/api/chat",
        json={"model": MODEL, "messages": QUESTION},
        headers={"x-mock-fault": "http_429"},
    )
    assert response.status_code == 429 and response.headers["retry-after"] == "1"


def test_fault_armed_by_control_endpoint_applies_once(server: MockServer, client: ollama.Client) -> None:
    httpx.post(server.url + "/_mock/faults", json={"fault": "http_500", "count": 1}).raise_for_status()
    with pytest.raises(ollama.ResponseError) as caught:
        client.chat(model=MODEL, messages=QUESTION)
    assert caught.value.status_code == 500
    assert client.chat(model=MODEL, messages=QUESTION).done is True
