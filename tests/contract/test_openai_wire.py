"""The OpenAI adapter's exact wire bytes (recording transport) and its parsing and translation, rule by rule."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from gateway.errors import (
    UpstreamAuthError,
    UpstreamBadRequestError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamRateLimitError,
    UpstreamUnavailableError,
)
from gateway.providers.base import ProviderConfig
from gateway.providers.openai_compat import OpenAIProvider
from gateway.providers.openai_compat.errors import map_error
from gateway.providers.openai_compat.request import to_wire
from gateway.providers.openai_compat.response import from_wire
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


def _config(base_url: str, **overrides: Any) -> ProviderConfig:
    fields: dict[str, Any] = {"name": "openai", "kind": "openai", "base_url": base_url, "api_key": "sk-test"}
    return ProviderConfig(**{**fields, **overrides})


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


# ---- exact wire bytes, via httpx.MockTransport ----------------------------------------------------------


class _Recorder:
    """A MockTransport handler that records requests and answers with a fixed response."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.response

    def body(self) -> dict[str, Any]:
        return json.loads(self.requests[-1].content)


def _sse_response(*data: str) -> httpx.Response:
    body = "".join(f"data: {d}\n\n" for d in data).encode()
    return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})


def _completion_json(**message: Any) -> dict[str, Any]:
    msg = {"role": "assistant", "content": "hi", **message}
    return {
        "id": "chatcmpl-x",
        "model": "m",
        "choices": [{"index": 0, "message": msg, "finish_reason": "stop"}],
    }


def _adapter(recorder: _Recorder, **overrides: Any) -> OpenAIProvider:
    return OpenAIProvider(
        _config("https://example.test/v1", **overrides), transport=httpx.MockTransport(recorder)
    )


async def test_openai_azure_options_send_api_key_header_and_api_version() -> None:
    recorder = _Recorder(httpx.Response(200, json=_completion_json()))
    options = {
        "auth_header": "api-key",
        "api_version": "2024-10-21",
        "chat_path": "/deployments/d1/chat/completions",
    }
    adapter = _adapter(recorder, options=options)
    await adapter.complete(_request())
    sent = recorder.requests[0]
    assert sent.headers["api-key"] == "sk-test"
    assert "authorization" not in sent.headers
    assert sent.url.params["api-version"] == "2024-10-21"
    assert sent.url.path == "/v1/deployments/d1/chat/completions"


async def test_openai_default_auth_is_bearer_without_query() -> None:
    recorder = _Recorder(httpx.Response(200, json=_completion_json()))
    await _adapter(recorder).complete(_request())
    sent = recorder.requests[0]
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert "api-key" not in sent.headers and not sent.url.params
    assert sent.url.path == "/v1/chat/completions"


async def test_openai_keyless_config_sends_no_credential() -> None:
    recorder = _Recorder(httpx.Response(200, json=_completion_json()))
    await _adapter(recorder, api_key=None).complete(_request())
    assert "authorization" not in recorder.requests[0].headers


async def test_openai_stream_sends_api_version_and_include_usage() -> None:
    recorder = _Recorder(_sse_response("[DONE]"))
    options = {"auth_header": "api-key", "api_version": "2025-01-01"}
    await _collect(_adapter(recorder, options=options), _request())
    assert recorder.requests[0].url.params["api-version"] == "2025-01-01"
    assert recorder.body()["stream"] is True
    assert recorder.body()["stream_options"] == {"include_usage": True}


async def test_openai_compatible_kind_sends_max_tokens_and_drops_params() -> None:
    recorder = _Recorder(httpx.Response(200, json=_completion_json()))
    adapter = _adapter(recorder, kind="openai_compatible", options={"drop_params": "seed, metadata"})
    await adapter.complete(_request(max_tokens=7, seed=3, metadata={"team": "a"}, temperature=0.2))
    body = recorder.body()
    assert body["max_tokens"] == 7 and "max_completion_tokens" not in body
    assert "seed" not in body and "metadata" not in body
    assert body["temperature"] == 0.2


async def test_openai_kind_sends_max_completion_tokens() -> None:
    recorder = _Recorder(httpx.Response(200, json=_completion_json()))
    await _adapter(recorder).complete(_request(max_tokens=7))
    assert recorder.body()["max_completion_tokens"] == 7 and "max_tokens" not in recorder.body()


@pytest.mark.parametrize(
    ("error", "error_type"),
    [
        ({"message": "boom", "type": "server_error", "param": None, "code": None}, UpstreamError),
        ({"message": "slow", "type": "requests", "code": "rate_limit_exceeded"}, UpstreamRateLimitError),
        (
            {"message": "busy", "type": "service_unavailable_error", "code": "server_is_overloaded"},
            UpstreamUnavailableError,
        ),
        (
            {"object": "error", "message": "bad", "type": "BadRequestError", "code": 400},
            UpstreamBadRequestError,
        ),
    ],
)
async def test_openai_in_stream_error_raises_mapped_error(
    error: dict[str, Any], error_type: type[UpstreamError]
) -> None:
    first = json.dumps(
        {"id": "c", "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}]}
    )
    recorder = _Recorder(_sse_response(first, json.dumps({"error": error})))
    seen: list[StreamEvent] = []
    with pytest.raises(error_type) as caught:
        async for event in _adapter(recorder).stream(_request()):
            seen.append(event)
    assert type(caught.value) is error_type
    assert seen == [TextDelta(text="Hi")]
    assert error["message"] not in caught.value.message


async def test_openai_stream_normalises_vendor_tool_deltas() -> None:
    # A vendor that omits `index` and repeats id/name on every piece still yields id+name once per call.
    piece = {"id": "call_a", "type": "function", "function": {"name": "f", "arguments": '{"a":'}}
    again = {"id": "call_a", "type": "function", "function": {"name": "f", "arguments": " 1}"}}
    chunks = [
        {"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [piece]}, "finish_reason": None}]},
        {
            "id": "c",
            "choices": [{"index": 0, "delta": {"tool_calls": [again]}, "finish_reason": "tool_calls"}],
        },
        {"id": "c", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}},
    ]
    recorder = _Recorder(_sse_response(*(json.dumps(c) for c in chunks), "[DONE]"))
    events = await _collect(_adapter(recorder), _request())
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert [(d.id, d.name) for d in deltas] == [("call_a", "f"), (None, None)]
    assert json.loads(_tool_calls(events)[0]["arguments"]) == {"a": 1}
    assert FinishEvent(reason="tool_calls") in events
    assert events[-1] == UsageEvent(prompt_tokens=3, completion_tokens=4)


async def test_openai_stream_legacy_function_call_becomes_tool_call() -> None:
    delta = {"function_call": {"name": "f", "arguments": "{}"}}
    chunk = {"id": "c", "choices": [{"index": 0, "delta": delta, "finish_reason": "function_call"}]}
    events = await _collect(_adapter(_Recorder(_sse_response(json.dumps(chunk), "[DONE]"))), _request())
    assert isinstance(events[0], ToolCallDelta) and events[0].name == "f" and events[0].id
    assert events[-1] == FinishEvent(reason="tool_calls")


async def test_openai_stream_without_finish_reason_still_finishes_once() -> None:
    chunk = {"id": "c", "choices": [{"index": 0, "delta": {"content": "x"}}]}
    events = await _collect(_adapter(_Recorder(_sse_response(json.dumps(chunk), "[DONE]"))), _request())
    assert events == [TextDelta(text="x"), FinishEvent(reason="stop")]


# ---- error and response parsing -------------------------------------------------------------------------


def test_openai_map_error_keeps_only_type_and_code() -> None:
    body = {
        "error": {
            "message": "Incorrect API key provided: sk-secret",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    error = map_error(httpx.Response(401, json=body), "openai")
    assert isinstance(error, UpstreamAuthError)
    assert "sk-secret" not in error.message and "invalid_api_key" in error.message


def test_openai_map_error_drops_codes_that_could_carry_user_text() -> None:
    body = {"error": {"message": "x", "type": "invalid_request_error", "code": "my name is Max Mustermann"}}
    error = map_error(httpx.Response(400, json=body), "openai")
    assert "Mustermann" not in error.message


def test_openai_map_error_reads_ratelimit_reset_when_no_retry_after() -> None:
    headers = {
        "x-ratelimit-remaining-requests": "5",
        "x-ratelimit-remaining-tokens": "0",
        "x-ratelimit-reset-tokens": "6m0s",
        "x-ratelimit-reset-requests": "1s",
    }
    error = map_error(httpx.Response(429, json={"error": {"type": "tokens"}}, headers=headers), "openai")
    assert isinstance(error, UpstreamRateLimitError) and error.retry_after == 360.0


def test_openai_map_error_prefers_retry_after_ms() -> None:
    response = httpx.Response(429, text="not json", headers={"retry-after-ms": "1500", "retry-after": "9"})
    error = map_error(response, "openai")
    assert isinstance(error, UpstreamRateLimitError) and error.retry_after == 1.5


def test_openai_from_wire_maps_legacy_function_call() -> None:
    body = _completion_json(content=None, function_call={"name": "f", "arguments": '{"a": 1}'})
    body["choices"][0]["finish_reason"] = "function_call"
    response = from_wire(body)
    assert response.finish_reason == "tool_calls"
    assert response.tool_calls[0].name == "f" and response.tool_calls[0].id.startswith("call_")


def test_openai_from_wire_generates_missing_id_and_keeps_model() -> None:
    response = from_wire(b'{"choices": [{"message": {"content": "hi"}, "finish_reason": "eos"}]}', model="m1")
    assert response.id.startswith("chatcmpl-") and response.model == "m1"
    assert response.finish_reason == "stop" and response.usage.prompt_tokens == 0


@pytest.mark.parametrize("body", [b"not json", b'{"choices": []}', b'{"choices": "x"}', b"[]"])
def test_openai_from_wire_rejects_non_completions(body: bytes) -> None:
    with pytest.raises(UpstreamProtocolError):
        from_wire(body)


# ---- canonical -> wire ----------------------------------------------------------------------------------


def test_openai_to_wire_translates_every_role() -> None:
    call = ToolCall(id="call_1", name="get_weather", arguments='{"city": "Berlin"}')
    messages = [
        Message(role="system", content="sys"),
        Message(role="user", content="hi", name="max"),
        Message(role="assistant", tool_calls=[call]),
        Message(role="tool", tool_call_id="call_1", content="sunny"),
        Message(role="assistant", content="It is sunny."),
    ]
    wire = to_wire(_request(messages=messages))["messages"]
    assert wire[0] == {"role": "system", "content": "sys"}
    assert wire[1] == {"role": "user", "content": "hi", "name": "max"}
    assert wire[2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Berlin"}'},
            }
        ],
    }
    assert wire[3] == {"role": "tool", "content": "sunny", "tool_call_id": "call_1"}
    assert wire[4] == {"role": "assistant", "content": "It is sunny."}


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (ToolChoice(mode="auto"), "auto"),
        (ToolChoice(mode="none"), "none"),
        (ToolChoice(mode="required"), "required"),
        (
            ToolChoice(mode="function", name="get_weather"),
            {"type": "function", "function": {"name": "get_weather"}},
        ),
    ],
)
def test_openai_to_wire_translates_tools_and_tool_choice(choice: ToolChoice, expected: object) -> None:
    strict = Tool(name="get_weather", description="Weather", parameters=WEATHER.parameters, strict=True)
    wire = to_wire(_request(tools=[strict], tool_choice=choice, parallel_tool_calls=False))
    assert wire["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": WEATHER.parameters,
                "description": "Weather",
                "strict": True,
            },
        }
    ]
    assert wire["tool_choice"] == expected
    assert wire["parallel_tool_calls"] is False


def test_openai_to_wire_leaves_tool_settings_off_without_tools() -> None:
    wire = to_wire(_request(tool_choice=ToolChoice(mode="none"), parallel_tool_calls=True))
    assert not {"tools", "tool_choice", "parallel_tool_calls"} & set(wire)


def test_openai_to_wire_translates_response_formats() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    fmt = ResponseFormat(type="json_schema", schema_name="answer", json_schema=schema, strict=True)
    assert to_wire(_request(response_format=fmt))["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": schema, "strict": True},
    }
    json_object = to_wire(_request(response_format=ResponseFormat(type="json_object")))
    assert json_object["response_format"] == {"type": "json_object"}


def test_openai_to_wire_translates_sampling_and_metadata() -> None:
    req = _request(
        temperature=0.3, top_p=0.9, max_tokens=50, stop=["END"], seed=7, user="u-1", metadata={"k": "v"}
    )
    wire = to_wire(req)
    expected = {
        "temperature": 0.3,
        "top_p": 0.9,
        "max_completion_tokens": 50,
        "stop": ["END"],
        "seed": 7,
        "user": "u-1",
    }
    assert {k: wire[k] for k in expected} == expected
    assert wire["metadata"] == {"k": "v"}
    assert to_wire(req, max_tokens_field="max_tokens")["max_tokens"] == 50


def test_openai_to_wire_omits_unset_params_and_streams_with_usage() -> None:
    assert set(to_wire(_request())) == {"model", "messages"}
    streaming = to_wire(_request(stream=True))
    assert streaming["stream"] is True and streaming["stream_options"] == {"include_usage": True}
    assert "stream_options" not in to_wire(_request(stream=True), drop_params=["stream_options"])


def test_openai_to_wire_never_drops_model_or_messages() -> None:
    assert set(to_wire(_request(), drop_params=["model", "messages"])) == {"model", "messages"}
