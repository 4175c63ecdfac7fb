"""OpenAI chat-completions JSON ⇄ canonical types: the parse half. Unknown fields are ignored, wrong ones are a
400 naming the offending `param`."""

from __future__ import annotations

import re
from typing import Any, Literal

import msgspec

from gateway.errors import InvalidRequestError
from gateway.types import ChatRequest, Message, ResponseFormat, Tool, ToolCall, ToolChoice


class _ContentPart(msgspec.Struct):
    type: str
    text: str | None = None


class _Function(msgspec.Struct):
    name: str
    arguments: str = "{}"


class _ToolCall(msgspec.Struct):
    id: str
    function: _Function
    type: str = "function"


class _Message(msgspec.Struct):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[_ContentPart] | None = None
    name: str | None = None
    tool_calls: list[_ToolCall] | None = None
    tool_call_id: str | None = None


class _FunctionDef(msgspec.Struct):
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class _Tool(msgspec.Struct):
    function: _FunctionDef
    type: str = "function"


class _NamedFunction(msgspec.Struct):
    name: str


class _NamedToolChoice(msgspec.Struct):
    function: _NamedFunction
    type: str = "function"


class _JsonSchema(msgspec.Struct):
    name: str
    schema: dict[str, Any] | None = None
    strict: bool | None = None
    description: str | None = None


class _ResponseFormat(msgspec.Struct):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: _JsonSchema | None = None


class _StreamOptions(msgspec.Struct):
    include_usage: bool = False


class _ChatCompletionRequest(msgspec.Struct):
    model: str
    messages: list[_Message]
    stream: bool | None = False
    stream_options: _StreamOptions | None = None
    tools: list[_Tool] | None = None
    tool_choice: Literal["auto", "none", "required"] | _NamedToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: _ResponseFormat | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    stop: str | list[str] | None = None
    seed: int | None = None
    user: str | None = None
    metadata: dict[str, str] | None = None
    n: int | None = None
    cache: bool | None = None  # gateway extension: false keeps the request out of the response cache


_DECODER = msgspec.json.Decoder(_ChatCompletionRequest)
_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"missing required field `(?P<field>[^`]+)`")


def _param_from_path(path: str) -> str | None:
    return path.lstrip(".") or None


def parse_chat_request(body: bytes) -> ChatRequest:
    """Decode and validate an OpenAI chat-completions body.

    Raises:
        InvalidRequestError: malformed JSON, a wrong type, or a value out of range; `param` names the field.
    """
    try:
        wire = _DECODER.decode(body)
    except msgspec.ValidationError as exc:
        text = str(exc)
        match = _PATH.search(text)
        missing = _MISSING.search(text)
        param = _param_from_path(match["path"]) if match else None
        if missing:
            param = f"{param}.{missing['field']}" if param else missing["field"]
        message = _PATH.sub("", text)
        raise InvalidRequestError(f"Invalid request: {message}", param=param) from None
    except msgspec.DecodeError:
        raise InvalidRequestError("The request body is not valid JSON.", param=None) from None
    except (UnicodeDecodeError, RecursionError):
        # msgspec raises these bare (a string that is not UTF-8, nesting past the interpreter's limit): a 400,
        # never an unhandled 500 (tests/hardening/test_bad_input.py).
        raise InvalidRequestError("The request body is not valid UTF-8 JSON or is nested too deeply.") from None
    _validate(wire)
    return _to_canonical(wire)


def _check_range(value: float | None, low: float, high: float, param: str) -> None:
    if value is not None and not low <= value <= high:
        raise InvalidRequestError(f"'{param}' must be between {low} and {high}, got {value}.", param=param)


def _validate(wire: _ChatCompletionRequest) -> None:
    if not wire.model:
        raise InvalidRequestError("'model' must not be empty.", param="model")
    if not wire.messages:
        raise InvalidRequestError("'messages' must contain at least one message.", param="messages")
    if wire.n not in (None, 1):
        raise InvalidRequestError("Only n=1 is supported.", param="n")
    _check_range(wire.temperature, 0.0, 2.0, "temperature")
    _check_range(wire.top_p, 0.0, 1.0, "top_p")
    for name in ("max_tokens", "max_completion_tokens"):
        value = getattr(wire, name)
        if value is not None and not 1 <= value <= 1_000_000:
            raise InvalidRequestError(f"'{name}' must be between 1 and 1000000, got {value}.", param=name)
    stops = [wire.stop] if isinstance(wire.stop, str) else (wire.stop or [])
    if len(stops) > 4:
        raise InvalidRequestError("'stop' accepts at most 4 sequences.", param="stop")
    rf = wire.response_format
    if rf is not None and rf.type == "json_schema" and (rf.json_schema is None or rf.json_schema.schema is None):
        raise InvalidRequestError("'json_schema.schema' is required.", param="response_format.json_schema")
    for i, message in enumerate(wire.messages):
        if message.role == "tool" and not message.tool_call_id:
            raise InvalidRequestError("Tool messages need 'tool_call_id'.", param=f"messages[{i}].tool_call_id")


def _text_of(content: str | list[_ContentPart] | None, index: int) -> str | None:
    if content is None or isinstance(content, str):
        return content
    texts = []
    for j, part in enumerate(content):
        if part.type != "text" or part.text is None:
            raise InvalidRequestError(
                f"Content part type '{part.type}' is not supported; send text parts.",
                param=f"messages[{index}].content[{j}]",
            )
        texts.append(part.text)
    return "\n".join(texts)


def _message(wire: _Message, index: int) -> Message:
    role = "system" if wire.role == "developer" else wire.role
    calls = [ToolCall(id=c.id, name=c.function.name, arguments=c.function.arguments) for c in wire.tool_calls or []]
    return Message(
        role=role,
        content=_text_of(wire.content, index),
        name=wire.name,
        tool_calls=calls,
        tool_call_id=wire.tool_call_id,
    )


def _tool_choice(choice: str | _NamedToolChoice | None) -> ToolChoice | None:
    if choice is None:
        return None
    if isinstance(choice, _NamedToolChoice):
        return ToolChoice(mode="function", name=choice.function.name)
    return ToolChoice(mode=choice)  # type: ignore[arg-type]


def _response_format(rf: _ResponseFormat | None) -> ResponseFormat | None:
    if rf is None:
        return None
    schema = rf.json_schema
    return ResponseFormat(
        type=rf.type,
        schema_name=schema.name if schema else None,
        json_schema=schema.schema if schema else None,
        strict=schema.strict if schema else None,
    )


def _to_canonical(wire: _ChatCompletionRequest) -> ChatRequest:
    tools = [
        Tool(
            name=t.function.name,
            description=t.function.description,
            parameters=t.function.parameters or {"type": "object", "properties": {}},
            strict=t.function.strict,
        )
        for t in wire.tools or []
    ]
    return ChatRequest(
        model=wire.model,
        messages=[_message(m, i) for i, m in enumerate(wire.messages)],
        stream=bool(wire.stream),
        include_usage=bool(wire.stream_options and wire.stream_options.include_usage),
        tools=tools,
        tool_choice=_tool_choice(wire.tool_choice),
        parallel_tool_calls=wire.parallel_tool_calls,
        response_format=_response_format(wire.response_format),
        temperature=wire.temperature,
        top_p=wire.top_p,
        max_tokens=wire.max_completion_tokens or wire.max_tokens,
        stop=[wire.stop] if isinstance(wire.stop, str) else list(wire.stop or []),
        seed=wire.seed,
        user=wire.user,
        metadata=dict(wire.metadata or {}),
        cache=wire.cache,
    )
