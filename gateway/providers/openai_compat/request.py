"""Canonical request -> OpenAI Chat Completions request body (`POST /chat/completions`).

The canonical types mirror OpenAI's format, so this is mostly a rename; the differences between OpenAI and the
servers that copy its API are options: the max-tokens field name and the params a vendor rejects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, TypedDict

from gateway.types import ChatRequest, Message, ResponseFormat, Tool, ToolCall, ToolChoice

# OpenAI deprecated `max_tokens` for `max_completion_tokens` (reasoning models reject the old name), while
# many compatible servers (vLLM, older Azure api-versions, Mistral) only know `max_tokens`.
MaxTokensField = Literal["max_completion_tokens", "max_tokens"]


class WireFunctionCall(TypedDict):
    name: str
    arguments: str


class WireToolCall(TypedDict):
    id: str
    type: Literal["function"]
    function: WireFunctionCall


def _tool_call(call: ToolCall) -> WireToolCall:
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}


def _message(message: Message) -> dict[str, Any]:
    wire: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.name is not None and message.role in ("system", "user", "assistant"):
        wire["name"] = message.name
    if message.role == "assistant" and message.tool_calls:
        wire["tool_calls"] = [_tool_call(call) for call in message.tool_calls]
    elif message.content is None:
        # Only an assistant turn that carries tool_calls may have null content.
        wire["content"] = ""
    if message.role == "tool":
        wire["tool_call_id"] = message.tool_call_id
    return wire


def _tool(tool: Tool) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool.name, "parameters": tool.parameters}
    if tool.description is not None:
        function["description"] = tool.description
    if tool.strict is not None:
        function["strict"] = tool.strict
    return {"type": "function", "function": function}


def _tool_choice(choice: ToolChoice) -> str | dict[str, Any]:
    if choice.mode == "function":
        return {"type": "function", "function": {"name": choice.name}}
    return choice.mode


def _response_format(fmt: ResponseFormat) -> dict[str, Any]:
    if fmt.type != "json_schema":
        return {"type": fmt.type}
    schema: dict[str, Any] = {"name": fmt.schema_name or "response", "schema": fmt.json_schema or {}}
    if fmt.strict is not None:
        schema["strict"] = fmt.strict
    return {"type": "json_schema", "json_schema": schema}


def _tooling(req: ChatRequest) -> dict[str, Any]:
    if not req.tools:
        # OpenAI rejects tool_choice / parallel_tool_calls without tools; "none" without tools means the same.
        return {}
    wire: dict[str, Any] = {"tools": [_tool(tool) for tool in req.tools]}
    if req.tool_choice is not None:
        wire["tool_choice"] = _tool_choice(req.tool_choice)
    if req.parallel_tool_calls is not None:
        wire["parallel_tool_calls"] = req.parallel_tool_calls
    return wire


def _sampling(req: ChatRequest, max_tokens_field: MaxTokensField) -> dict[str, Any]:
    optional: dict[str, Any] = {
        "temperature": req.temperature,
        "top_p": req.top_p,
        max_tokens_field: req.max_tokens,
        "seed": req.seed,
        "user": req.user,
        "stop": req.stop or None,
        "metadata": req.metadata or None,
        "response_format": _response_format(req.response_format) if req.response_format else None,
    }
    return {key: value for key, value in optional.items() if value is not None}


def to_wire(
    req: ChatRequest,
    *,
    max_tokens_field: MaxTokensField = "max_completion_tokens",
    drop_params: Iterable[str] = (),
) -> dict[str, Any]:
    """The Chat Completions body for `req`.

    Args:
        req: the canonical request; `req.model` is the upstream model id, `req.stream` selects streaming.
        max_tokens_field: which name the server knows for the output token limit.
        drop_params: top-level params the server does not accept (e.g. `seed`, `metadata`), left off the wire.

    Returns:
        The JSON-ready body. A stream always asks for the usage chunk, so every stream can be settled.
    """
    body: dict[str, Any] = {"model": req.model, "messages": [_message(m) for m in req.messages]}
    body.update(_tooling(req))
    body.update(_sampling(req, max_tokens_field))
    if req.stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    dropped = set(drop_params) - {"model", "messages"}
    return {key: value for key, value in body.items() if key not in dropped}
