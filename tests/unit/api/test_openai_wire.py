import pytest

from gateway.api.openai_wire import parse_chat_request
from gateway.errors import InvalidRequestError


def _parse(body: str):  # type: ignore[no-untyped-def]
    return parse_chat_request(body.encode())


def test_parse_maps_every_supported_field() -> None:
    req = _parse(
        """{"model": "m", "messages": [
             {"role": "developer", "content": "sys"},
             {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
             {"role": "assistant", "content": null,
              "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
             {"role": "tool", "tool_call_id": "c1", "content": "r"}],
           "stream": true, "stream_options": {"include_usage": true},
           "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
           "tool_choice": {"type": "function", "function": {"name": "f"}},
           "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": {"type": "object"}}},
           "temperature": 0.5, "top_p": 0.9, "max_completion_tokens": 50, "max_tokens": 10,
           "stop": "END", "seed": 7, "user": "u1", "metadata": {"k": "v"}, "unknown_field": {"x": 1}}"""
    )
    assert [m.role for m in req.messages] == ["system", "user", "assistant", "tool"]
    assert req.messages[1].content == "a\nb"
    assert req.messages[2].tool_calls[0].name == "f"
    assert req.messages[3].tool_call_id == "c1"
    assert req.stream and req.include_usage
    assert req.tool_choice is not None and req.tool_choice.mode == "function" and req.tool_choice.name == "f"
    assert req.response_format is not None and req.response_format.json_schema == {"type": "object"}
    assert req.max_tokens == 50  # max_completion_tokens wins over the deprecated max_tokens
    assert req.stop == ["END"]
    assert (req.seed, req.user, req.metadata) == (7, "u1", {"k": "v"})


def test_tool_choice_string_modes() -> None:
    req = _parse('{"model": "m", "messages": [{"role": "user", "content": "x"}], "tool_choice": "required"}')
    assert req.tool_choice is not None and req.tool_choice.mode == "required"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ('{"model": "m", "messages": []}', "messages"),
        ('{"model": "", "messages": [{"role": "user", "content": "x"}]}', "model"),
        ('{"messages": [{"role": "user", "content": "x"}]}', "model"),
        ('{"model": "m", "messages": [{"role": "robot", "content": "x"}]}', "messages[0].role"),
        ('{"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 3}', "temperature"),
        ('{"model": "m", "messages": [{"role": "user", "content": "x"}], "top_p": -1}', "top_p"),
        ('{"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 0}', "max_tokens"),
        ('{"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 3}', "n"),
        ('{"model": "m", "messages": [{"role": "user", "content": "x"}], "stop": ["a","b","c","d","e"]}', "stop"),
        ('{"model": "m", "messages": [{"role": "tool", "content": "x"}]}', "messages[0].tool_call_id"),
        (
            '{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]}',
            "messages[0].content[0]",
        ),
    ],
)
def test_invalid_requests_name_the_offending_param(body: str, param: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        _parse(body)
    assert info.value.param == param
    assert info.value.status == 400


def test_not_json_is_invalid_request() -> None:
    with pytest.raises(InvalidRequestError) as info:
        parse_chat_request(b"\xff\xfe{not json")
    assert "not valid JSON" in info.value.message
