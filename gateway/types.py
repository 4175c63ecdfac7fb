"""Canonical chat types: the only vocabulary the pipeline stages speak.

The HTTP edge parses OpenAI's wire format into these, every provider adapter translates them to and from its
own wire format. msgspec Structs keep parsing and rendering cheap on the hot path.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

Role = Literal["system", "user", "assistant", "tool"]
FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "error"]
ToolChoiceMode = Literal["auto", "none", "required", "function"]
ResponseFormatType = Literal["text", "json_object", "json_schema"]


class ToolCall(msgspec.Struct, kw_only=True):
    """A function call requested by the model. `arguments` is a JSON-encoded object, as in OpenAI's format."""

    id: str
    name: str
    arguments: str = "{}"


class Message(msgspec.Struct, kw_only=True):
    """One conversation turn. Multi-part text content is joined into `content` by the edge."""

    role: Role
    content: str | None = None
    name: str | None = None
    tool_calls: list[ToolCall] = msgspec.field(default_factory=list)
    tool_call_id: str | None = None  # set on role == "tool": which call this result answers


class Tool(msgspec.Struct, kw_only=True):
    """A function the model may call; `parameters` is a JSON Schema object."""

    name: str
    description: str | None = None
    parameters: dict[str, Any] = msgspec.field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool | None = None


class ToolChoice(msgspec.Struct, kw_only=True):
    """`mode == "function"` forces the tool called `name`."""

    mode: ToolChoiceMode
    name: str | None = None


class ResponseFormat(msgspec.Struct, kw_only=True):
    type: ResponseFormatType
    schema_name: str | None = None
    json_schema: dict[str, Any] | None = None  # the JSON Schema itself, for type == "json_schema"
    strict: bool | None = None


class ChatRequest(msgspec.Struct, kw_only=True):
    """A chat completion request. `model` is the public model name until dispatch swaps in the upstream id."""

    model: str
    messages: list[Message]
    stream: bool = False
    include_usage: bool = False
    tools: list[Tool] = msgspec.field(default_factory=list)
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: list[str] = msgspec.field(default_factory=list)
    seed: int | None = None
    user: str | None = None
    metadata: dict[str, str] = msgspec.field(default_factory=dict)
    cache: bool | None = None  # gateway extension: `"cache": false` keeps this request out of the response cache


class Usage(msgspec.Struct, kw_only=True):
    """Token counts as the provider reports them. `cached_tokens` are part of `prompt_tokens` (read from a
    provider-side prompt cache), `reasoning_tokens` part of `completion_tokens` (thinking)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ChatResponse(msgspec.Struct, kw_only=True):
    """A finished completion (one choice)."""

    id: str
    model: str
    content: str | None = None
    tool_calls: list[ToolCall] = msgspec.field(default_factory=list)
    finish_reason: FinishReason = "stop"
    usage: Usage = msgspec.field(default_factory=Usage)
    created: int = 0


# ---- stream events: what every adapter's `stream()` yields ------------------------------------------------


class TextDelta(msgspec.Struct, kw_only=True):
    text: str


class ToolCallDelta(msgspec.Struct, kw_only=True):
    """A piece of a tool call. `id` and `name` arrive with the first piece of call `index`, then only arguments."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


class FinishEvent(msgspec.Struct, kw_only=True):
    reason: FinishReason


class UsageEvent(msgspec.Struct, kw_only=True):
    """Token counts; may come more than once (e.g. input at start, output at end): fields that are None keep
    the previous value."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None
    reasoning_tokens: int | None = None


StreamEvent = TextDelta | ToolCallDelta | FinishEvent | UsageEvent
