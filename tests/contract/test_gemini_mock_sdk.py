"""The official google-genai SDK against the Gemini mock: if the SDK parses it, the mock speaks Gemini."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google import genai
from google.genai import errors, types

from gateway.mock.gemini import create_app
from gateway.mock.server import MockServer

MODEL = "gemini-2.5-flash"
WEATHER = types.FunctionDeclaration(
    name="get_weather",
    description="Current weather for a city.",
    parameters_json_schema={
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
)
NO_AFC = types.AutomaticFunctionCallingConfig(disable=True)


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(create_app()) as running:
        yield running


def make_client(server: MockServer, api_key: str = "k", fault: str | None = None) -> genai.Client:
    """An SDK client on the mock, without retries (attempts=1) so error tests see the first answer."""
    headers = {"x-mock-fault": fault} if fault else None
    options = types.HttpOptions(
        base_url=server.url, headers=headers, retry_options=types.HttpRetryOptions(attempts=1)
    )
    return genai.Client(api_key=api_key, http_options=options)


def test_generate_content_returns_text_and_usage(server: MockServer) -> None:
    client = make_client(server)
    response = client.models.generate_content(
        model=MODEL,
        contents="Hello there",
        config=types.GenerateContentConfig(system_instruction="Be brief."),
    )
    assert response.text == f"This is a mock answer from {MODEL} to: Hello there"
    assert response.candidates[0].finish_reason == types.FinishReason.STOP
    assert response.usage_metadata.prompt_token_count == 4  # "Be brief." + "Hello there"
    assert response.usage_metadata.candidates_token_count == len(response.text.split())
    assert response.response_id


def test_stream_assembles_the_same_text_with_usage(server: MockServer) -> None:
    client = make_client(server)
    whole = client.models.generate_content(model=MODEL, contents="Tell me a story please").text
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="Tell me a story please"))
    assert len(chunks) > 1
    assert "".join(c.text or "" for c in chunks) == whole
    last = chunks[-1]
    assert last.candidates[0].finish_reason == types.FinishReason.STOP
    assert last.usage_metadata.candidates_token_count == len(whole.split())
    assert all(c.candidates[0].finish_reason is None for c in chunks[:-1])


def test_max_output_tokens_reports_max_tokens(server: MockServer) -> None:
    client = make_client(server)
    config = types.GenerateContentConfig(max_output_tokens=3)
    response = client.models.generate_content(model=MODEL, contents="Hello there", config=config)
    assert response.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS
    assert response.text == "This is a"


def test_function_call_non_stream(server: MockServer) -> None:
    client = make_client(server)
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER])], automatic_function_calling=NO_AFC
    )
    response = client.models.generate_content(model=MODEL, contents="Weather in Berlin?", config=config)
    assert response.function_calls is not None
    assert [(c.name, c.args) for c in response.function_calls] == [("get_weather", {"city": "mock"})]


def test_function_call_stream(server: MockServer) -> None:
    client = make_client(server)
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER])], automatic_function_calling=NO_AFC
    )
    chunks = list(
        client.models.generate_content_stream(model=MODEL, contents="Weather in Berlin?", config=config)
    )
    calls = [c for chunk in chunks for c in chunk.function_calls or []]
    assert [(c.name, c.args) for c in calls] == [("get_weather", {"city": "mock"})]
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP


def test_function_response_is_answered_with_text(server: MockServer) -> None:
    client = make_client(server)
    contents = [
        types.Content(role="user", parts=[types.Part(text="Weather in Berlin?")]),
        types.Content(
            role="model", parts=[types.Part.from_function_call(name="get_weather", args={"city": "Berlin"})]
        ),
        types.Content(
            role="user",
            parts=[types.Part.from_function_response(name="get_weather", response={"output": "sunny"})],
        ),
    ]
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER])], automatic_function_calling=NO_AFC
    )
    response = client.models.generate_content(model=MODEL, contents=contents, config=config)
    assert response.text == "The tool returned: sunny"
    assert not response.function_calls


def test_tool_config_none_answers_with_text(server: MockServer) -> None:
    client = make_client(server)
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[WEATHER])],
        tool_config=types.ToolConfig(function_calling_config=types.FunctionCallingConfig(mode="NONE")),
        automatic_function_calling=NO_AFC,
    )
    response = client.models.generate_content(model=MODEL, contents="Weather in Berlin?", config=config)
    assert not response.function_calls
    assert response.text.startswith("This is a mock answer")


def test_missing_key_raises_client_error_401(server: MockServer) -> None:
    client = make_client(server, api_key="k")
    # The SDK insists on a key at construction; blank the header it sends instead.
    client._api_client._http_options.headers["x-goog-api-key"] = ""
    with pytest.raises(errors.ClientError) as info:
        client.models.generate_content(model=MODEL, contents="hi")
    assert info.value.code == 401
    assert info.value.status == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("fault", "cls", "code", "status"),
    [
        ("http_401", errors.ClientError, 401, "UNAUTHENTICATED"),
        ("http_400", errors.ClientError, 400, "INVALID_ARGUMENT"),
        ("http_429", errors.ClientError, 429, "RESOURCE_EXHAUSTED"),
        ("http_500", errors.ServerError, 500, "INTERNAL"),
        ("http_503", errors.ServerError, 503, "UNAVAILABLE"),
    ],
)
def test_fault_raises_sdk_error(
    server: MockServer, fault: str, cls: type[errors.APIError], code: int, status: str
) -> None:
    client = make_client(server, fault=fault)
    with pytest.raises(cls) as info:
        client.models.generate_content(model=MODEL, contents="hi")
    assert info.value.code == code
    assert info.value.status == status


def test_rate_limit_carries_retry_info(server: MockServer) -> None:
    client = make_client(server, fault="http_429")
    with pytest.raises(errors.ClientError) as info:
        client.models.generate_content(model=MODEL, contents="hi")
    details = info.value.details["error"]["details"]
    assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"} in details
    assert info.value.response.headers["retry-after"] == "1"


def test_stream_fault_raises_sdk_error(server: MockServer) -> None:
    client = make_client(server, fault="http_503")
    with pytest.raises(errors.ServerError) as info:
        list(client.models.generate_content_stream(model=MODEL, contents="hi"))
    assert info.value.code == 503
