"""The Gemini adapter's wire translation and parsing, rule by rule (pure functions, no server)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from gateway.errors import (
    UpstreamAuthError,
    UpstreamProtocolError,
    UpstreamRateLimitError,
)
from gateway.providers.gemini.errors import map_error
from gateway.providers.gemini.request import SKIP_SIGNATURE, to_wire
from gateway.providers.gemini.response import from_wire
from gateway.types import (
    ChatRequest,
    Message,
    ResponseFormat,
    Tool,
    ToolCall,
    ToolChoice,
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
