"""Property-based fuzzing of the OpenAI wire parser: whatever the bytes, a ChatRequest or an InvalidRequestError,
never another exception (which the HTTP edge would turn into a 500)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.api.openai_wire import parse_chat_request
from gateway.errors import InvalidRequestError
from gateway.types import ChatRequest

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_roles = st.sampled_from(["system", "developer", "user", "assistant", "tool", "robot", ""]) | _json
_content = (
    st.none()
    | st.text(max_size=40)
    | st.lists(
        st.fixed_dictionaries(
            {"type": st.sampled_from(["text", "image_url", 3])}, optional={"text": _scalars}
        ),
        max_size=3,
    )
    | _json
)
_message = st.fixed_dictionaries(
    {"role": _roles},
    optional={"content": _content, "tool_call_id": _scalars, "name": _scalars, "tool_calls": _json},
)
_field_values = {
    "stream": _scalars,
    "temperature": _scalars,
    "top_p": _scalars,
    "max_tokens": _scalars,
    "max_completion_tokens": _scalars,
    "stop": _json,
    "n": _scalars,
    "seed": _scalars,
    "tools": _json,
    "tool_choice": _json,
    "response_format": _json,
    "stream_options": _json,
    "metadata": _json,
    "user": _scalars,
}
_request = st.fixed_dictionaries(
    {"model": st.text(max_size=20) | _scalars, "messages": st.lists(_message, max_size=4) | _json},
    optional=_field_values,
)


def _parse(body: bytes) -> ChatRequest | None:
    try:
        return parse_chat_request(body)
    except InvalidRequestError as exc:
        assert exc.status == 400 and exc.message
        return None


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_parse_or_fail_as_invalid_request(body: bytes) -> None:
    result = _parse(body)
    assert result is None or isinstance(result, ChatRequest)


@FUZZ
@given(_json)
def test_arbitrary_json_parses_or_fails_as_invalid_request(value: Any) -> None:
    assert _parse(json.dumps(value).encode()) is None or isinstance(value, dict)


@FUZZ
@given(_request)
def test_near_valid_requests_parse_or_fail_as_invalid_request(value: dict[str, Any]) -> None:
    parsed = _parse(json.dumps(value).encode())
    if parsed is not None:  # what was accepted is canonical and in range
        assert parsed.messages and parsed.model == value["model"]
        assert parsed.max_tokens is None or 1 <= parsed.max_tokens <= 1_000_000


@FUZZ
@given(_request, st.integers(min_value=0, max_value=400), st.binary(min_size=1, max_size=3))
def test_corrupted_requests_parse_or_fail_as_invalid_request(
    value: dict[str, Any], at: int, junk: bytes
) -> None:
    body = json.dumps(value).encode()
    at = min(at, len(body))
    result = _parse(body[:at] + junk + body[at:])  # invalid UTF-8, truncation, stray bytes anywhere
    assert result is None or isinstance(result, ChatRequest)
