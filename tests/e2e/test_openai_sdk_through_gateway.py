"""The official openai SDK talks to the real gateway, which translates to each provider's own protocol."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from tests.e2e.conftest import PROVIDERS, Stack

MODELS = {provider: spec[3] for provider, spec in PROVIDERS.items()}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_text_completion_through_every_provider(gateway_stack: Stack, provider: str) -> None:
    raw = gateway_stack.client().chat.completions.with_raw_response.create(
        model=MODELS[provider],
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Wie spät ist es?"}],
        temperature=0.2,
        max_tokens=200,
    )
    completion = raw.parse()
    assert raw.headers["x-gateway-provider"] == provider
    assert completion.model == MODELS[provider]
    assert "Wie spät ist es?" in (completion.choices[0].message.content or "")
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.prompt_tokens > 0
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_streaming_with_usage_matches_non_streaming(gateway_stack: Stack, provider: str) -> None:
    client = gateway_stack.client()
    messages = [{"role": "user", "content": "Erzähl mir etwas über Berlin."}]
    full = client.chat.completions.create(model=MODELS[provider], messages=messages)
    chunks = list(
        client.chat.completions.create(
            model=MODELS[provider], messages=messages, stream=True, stream_options={"include_usage": True}
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert text == full.choices[0].message.content
    assert finish == ["stop"]
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == full.usage.completion_tokens  # type: ignore[union-attr]


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_tool_call_round_trip(gateway_stack: Stack, provider: str) -> None:
    client = gateway_stack.client()
    messages: list[dict[str, object]] = [{"role": "user", "content": "Wetter in München?"}]
    first = client.chat.completions.create(model=MODELS[provider], messages=messages, tools=[WEATHER_TOOL])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "get_weather"
    assert "city" in json.loads(call.function.arguments)
    messages += [
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": "18 Grad, sonnig"},
    ]
    second = client.chat.completions.create(model=MODELS[provider], messages=messages, tools=[WEATHER_TOOL])
    assert "18 Grad, sonnig" in (second.choices[0].message.content or "")


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_streamed_tool_call_deltas_assemble(gateway_stack: Stack, provider: str) -> None:
    stream = gateway_stack.client().chat.completions.create(
        model=MODELS[provider],
        messages=[{"role": "user", "content": "Wetter in Hamburg?"}],
        tools=[WEATHER_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        stream=True,
    )
    name, arguments, finish = "", "", None
    for chunk in stream:
        delta = chunk.choices[0].delta if chunk.choices else None
        for tool_call in (delta.tool_calls or []) if delta else []:
            name += tool_call.function.name or "" if tool_call.function else ""
            arguments += tool_call.function.arguments or "" if tool_call.function else ""
        if chunk.choices and chunk.choices[0].finish_reason:
            finish = chunk.choices[0].finish_reason
    assert name == "get_weather"
    assert json.loads(arguments) == {"city": "mock"}
    assert finish == "tool_calls"


def test_models_list_shows_configured_models(gateway_stack: Stack) -> None:
    ids = {m.id for m in gateway_stack.client().models.list()}
    assert set(MODELS.values()) <= ids
    assert "gpt-4o-eu" not in ids  # its provider has no credentials in this run


def test_missing_key_is_authentication_error(gateway_stack: Stack) -> None:
    client = openai.OpenAI(base_url=gateway_stack.url + "/v1", api_key="gwk_not-a-real-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert info.value.code == "invalid_api_key"


def test_unknown_model_is_not_found(gateway_stack: Stack) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        gateway_stack.client().chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": "x"}])
    assert info.value.code == "model_not_found"
    assert info.value.param == "model"


def test_invalid_parameter_is_bad_request_naming_param(gateway_stack: Stack) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        gateway_stack.client().chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], temperature=7
        )
    assert info.value.param == "temperature"


def test_wrong_type_is_bad_request_with_path(gateway_stack: Stack) -> None:
    response = httpx.post(
        gateway_stack.url + "/v1/chat/completions",
        headers={"authorization": f"Bearer {gateway_stack.key}"},
        json={"model": "gpt-4o-mini", "messages": [{"role": 5, "content": "x"}]},
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "messages[0].role"


def test_oversized_body_is_413(gateway_stack: Stack) -> None:
    with pytest.raises(openai.APIStatusError) as info:
        gateway_stack.client().chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x" * 100_000}]
        )
    assert info.value.status_code == 413
    assert info.value.code == "request_too_large"


@pytest.mark.parametrize(
    ("provider", "fault", "exception", "status"),
    [
        ("openai", "http_429", openai.RateLimitError, 429),
        ("anthropic", "http_529", openai.InternalServerError, 503),
        ("gemini", "http_503", openai.InternalServerError, 503),
        ("ollama", "http_500", openai.InternalServerError, 502),
        ("openai", "timeout", openai.InternalServerError, 504),
        ("anthropic", "malformed", openai.InternalServerError, 502),
        ("gemini", "http_400", openai.BadRequestError, 400),
    ],
)
def test_upstream_failures_map_to_openai_errors(
    gateway_stack: Stack, provider: str, fault: str, exception: type[openai.APIStatusError], status: int
) -> None:
    gateway_stack.arm(provider, fault)
    with pytest.raises(exception) as info:
        gateway_stack.client().chat.completions.create(
            model=MODELS[provider], messages=[{"role": "user", "content": "hallo"}]
        )
    assert info.value.status_code == status
    assert "test-" not in info.value.message  # no upstream credential leaks into the error


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini", "ollama"])
def test_stream_cut_midway_raises_in_band_error(gateway_stack: Stack, provider: str) -> None:
    gateway_stack.arm(provider, "cut_stream")
    stream = gateway_stack.client().chat.completions.create(
        model=MODELS[provider], messages=[{"role": "user", "content": "eins zwei drei vier fünf sechs"}], stream=True
    )
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass


def test_stream_refused_before_first_byte_is_a_status_error(gateway_stack: Stack) -> None:
    gateway_stack.arm("anthropic", "http_429")
    with pytest.raises(openai.RateLimitError):
        gateway_stack.client().chat.completions.create(
            model=MODELS["anthropic"], messages=[{"role": "user", "content": "x"}], stream=True
        )
