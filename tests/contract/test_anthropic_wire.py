"""The Anthropic adapter's wire translation and parsing, rule by rule (pure functions, no server)."""

from __future__ import annotations

import json

import pytest

from gateway.errors import (
    InvalidRequestError,
    UpstreamProtocolError,
)
from gateway.providers.anthropic.request import JSON_OBJECT_INSTRUCTION, WireOptions, to_wire
from gateway.providers.anthropic.response import from_wire
from gateway.types import (
    ChatRequest,
    Message,
    ResponseFormat,
    Tool,
    ToolCall,
    ToolChoice,
)

MODEL = "claude-mock-1"
WEATHER = Tool(
    name="get_weather",
    description="Current weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}


def chat(*messages: Message, **fields: object) -> ChatRequest:
    return ChatRequest(model=MODEL, messages=list(messages), **fields)  # type: ignore[arg-type]


def user(text: str) -> Message:
    return Message(role="user", content=text)


# ---- from_wire ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
    ],
)
def test_from_wire_maps_stop_reason(stop_reason: str, finish: str) -> None:
    body = {
        "id": "msg_9",
        "type": "message",
        "model": MODEL,
        "stop_reason": stop_reason,
        "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
        "usage": {"input_tokens": 4, "cache_creation_input_tokens": 2, "output_tokens": 3},
    }
    response = from_wire(json.dumps(body).encode())
    assert response.finish_reason == finish and response.content == "ab"
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (6, 3)


def test_from_wire_rejects_non_json() -> None:
    with pytest.raises(UpstreamProtocolError):
        from_wire(b"<html>bad gateway</html>")


# ---- to_wire, rule by rule ------------------------------------------------------------------------------


def test_system_messages_are_hoisted_and_joined() -> None:
    req = chat(
        Message(role="system", content="Rule one."), user("hi"), Message(role="system", content="Rule two.")
    )
    body = to_wire(req)
    assert body["system"] == "Rule one.\n\nRule two."
    assert all(turn["role"] in ("user", "assistant") for turn in body["messages"])


def test_max_tokens_defaults_and_passes_through() -> None:
    assert to_wire(chat(user("hi")))["max_tokens"] == 4096
    assert to_wire(chat(user("hi")), WireOptions(default_max_tokens=99))["max_tokens"] == 99
    assert to_wire(chat(user("hi"), max_tokens=12))["max_tokens"] == 12
    assert WireOptions.from_options({"default_max_tokens": "321"}).default_max_tokens == 321


def test_consecutive_same_role_turns_are_merged() -> None:
    body = to_wire(chat(user("a"), user("b"), Message(role="assistant", content="c"), user("d")))
    assert [t["role"] for t in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][0]["content"] == [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]


def test_assistant_tool_calls_become_tool_use_and_results_a_user_turn() -> None:
    calls = [
        ToolCall(id="toolu_a", name="f", arguments='{"x": 1}'),
        ToolCall(id="toolu_b", name="g", arguments=""),
    ]
    req = chat(
        user("go"),
        Message(role="assistant", content="Calling.", tool_calls=calls),
        Message(role="tool", tool_call_id="toolu_a", content="one"),
        Message(role="tool", tool_call_id="toolu_b", content="two"),
        user("and now?"),
    )
    turns = to_wire(req)["messages"]
    assert turns[1] == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Calling."},
            {"type": "tool_use", "id": "toolu_a", "name": "f", "input": {"x": 1}},
            {"type": "tool_use", "id": "toolu_b", "name": "g", "input": {}},
        ],
    }
    assert turns[2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_a", "content": "one"},
            {"type": "tool_result", "tool_use_id": "toolu_b", "content": "two"},
            {"type": "text", "text": "and now?"},
        ],
    }
    assert len(turns) == 3


def test_invalid_tool_messages_are_refused() -> None:
    with pytest.raises(InvalidRequestError):
        to_wire(chat(user("x"), Message(role="tool", content="orphan")))
    bad = Message(role="assistant", tool_calls=[ToolCall(id="t", name="f", arguments="[1]")])
    with pytest.raises(InvalidRequestError):
        to_wire(chat(user("x"), bad))


def test_tools_use_input_schema_and_strict() -> None:
    strict = Tool(name="s", parameters={"type": "object", "properties": {}}, strict=True)
    body = to_wire(chat(user("x"), tools=[WEATHER, strict]))
    assert body["tools"][0] == {
        "name": "get_weather",
        "description": "Current weather for a city",
        "input_schema": WEATHER.parameters,
    }
    assert body["tools"][1]["strict"] is True and "description" not in body["tools"][1]
    assert "tool_choice" not in body


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        (ToolChoice(mode="auto"), {"type": "auto"}),
        (ToolChoice(mode="required"), {"type": "any"}),
        (ToolChoice(mode="function", name="get_weather"), {"type": "tool", "name": "get_weather"}),
        (ToolChoice(mode="none"), {"type": "none"}),
    ],
)
def test_tool_choice_translation(choice: ToolChoice, wire: dict[str, str]) -> None:
    assert to_wire(chat(user("x"), tools=[WEATHER], tool_choice=choice))["tool_choice"] == wire


def test_parallel_tool_calls_false_disables_parallel_use() -> None:
    body = to_wire(chat(user("x"), tools=[WEATHER], parallel_tool_calls=False))
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    none = to_wire(
        chat(user("x"), tools=[WEATHER], tool_choice=ToolChoice(mode="none"), parallel_tool_calls=False)
    )
    assert none["tool_choice"] == {"type": "none"}


def test_tool_choice_without_tools_is_omitted() -> None:
    assert "tool_choice" not in to_wire(chat(user("x"), tool_choice=ToolChoice(mode="required")))


def test_json_schema_uses_structured_outputs() -> None:
    fmt = ResponseFormat(type="json_schema", schema_name="a", json_schema=SCHEMA)
    body = to_wire(chat(user("x"), response_format=fmt))
    assert body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    assert "system" not in body


def test_json_schema_without_structured_outputs_becomes_instruction() -> None:
    fmt = ResponseFormat(type="json_schema", json_schema=SCHEMA)
    body = to_wire(chat(user("x"), response_format=fmt), WireOptions(structured_outputs=False))
    assert "output_config" not in body
    assert JSON_OBJECT_INSTRUCTION in body["system"] and '"required":["answer"]' in body["system"]


def test_json_object_becomes_system_instruction() -> None:
    req = chat(
        Message(role="system", content="Be brief."),
        user("x"),
        response_format=ResponseFormat(type="json_object"),
    )
    assert to_wire(req)["system"] == "Be brief.\n\n" + JSON_OBJECT_INSTRUCTION


def test_sampling_stop_user_and_stream_fields() -> None:
    req = chat(
        user("x"), temperature=0.3, top_p=0.9, stop=["END"], seed=7, user="user-42", metadata={"k": "v"}
    )
    body = to_wire(req, stream=True)
    assert body["temperature"] == 0.3 and body["top_p"] == 0.9
    assert body["stop_sequences"] == ["END"]
    assert body["metadata"] == {"user_id": "user-42"}
    assert body["stream"] is True
    assert "seed" not in body and "stop" not in body and "user" not in body
    assert "stream" not in to_wire(req)


def test_temperature_is_clamped_to_anthropic_range() -> None:
    assert to_wire(chat(user("x"), temperature=1.7))["temperature"] == 1.0
