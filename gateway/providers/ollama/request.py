"""Canonical `ChatRequest` -> Ollama's native `POST /api/chat` body.

Reference: docs.ollama.com/api/chat and /capabilities/tool-calling. What differs from OpenAI's format:
- sampling settings live in `options` (`num_predict` is the output-token limit);
- `format` is `"json"` or a JSON Schema object instead of `response_format`;
- tool call arguments are a JSON *object*, not a JSON-encoded string, and calls carry `function.index`, no id;
- a tool result is a `role: "tool"` message naming the tool (`tool_name`), since there are no call ids;
- there is no `tool_choice`, no `user` and no `metadata`.
"""

from __future__ import annotations

import json
from typing import Any, Literal, NotRequired, TypedDict

from gateway.errors import UpstreamBadRequestError
from gateway.providers.ollama.errors import PROVIDER
from gateway.types import ChatRequest, Message, ResponseFormat, Tool


class WireFunctionCall(TypedDict):
    index: int
    name: str
    arguments: dict[str, Any]


class WireToolCall(TypedDict):
    type: Literal["function"]
    function: WireFunctionCall


class WireMessage(TypedDict):
    role: str
    content: str
    tool_calls: NotRequired[list[WireToolCall]]
    tool_name: NotRequired[str]


class WireFunction(TypedDict):
    name: str
    parameters: dict[str, Any]
    description: NotRequired[str]


class WireTool(TypedDict):
    type: Literal["function"]
    function: WireFunction


class WireOptions(TypedDict, total=False):
    temperature: float
    top_p: float
    num_predict: int
    stop: list[str]
    seed: int


class WireRequest(TypedDict):
    model: str
    messages: list[WireMessage]
    stream: bool
    tools: NotRequired[list[WireTool]]
    format: NotRequired[str | dict[str, Any]]
    options: NotRequired[WireOptions]


def to_wire(req: ChatRequest) -> WireRequest:
    """Translate a canonical request into an Ollama `/api/chat` body.

    `stream` is always set explicitly, because Ollama streams unless told otherwise. `user` and `metadata`
    have no Ollama counterpart and are dropped.
    """
    body: WireRequest = {"model": req.model, "messages": _messages(req.messages), "stream": req.stream}
    tools = _tools(req)
    if tools:
        body["tools"] = tools
    fmt = _format(req.response_format)
    if fmt is not None:
        body["format"] = fmt
    options = _options(req)
    if options:
        body["options"] = options
    return body


def _messages(messages: list[Message]) -> list[WireMessage]:
    # Ollama matches a tool result to its call by tool name, so remember each call id's name as we go.
    names_by_call_id: dict[str, str] = {}
    wire: list[WireMessage] = []
    for message in messages:
        out: WireMessage = {"role": message.role, "content": message.content or ""}
        if message.role == "assistant" and message.tool_calls:
            out["tool_calls"] = [
                _tool_call(i, call.name, call.arguments) for i, call in enumerate(message.tool_calls)
            ]
            names_by_call_id.update({call.id: call.name for call in message.tool_calls})
        if message.role == "tool":
            name = names_by_call_id.get(message.tool_call_id or "") or message.name
            if name:
                out["tool_name"] = name
        wire.append(out)
    return wire


def _tool_call(index: int, name: str, arguments: str) -> WireToolCall:
    return {
        "type": "function",
        "function": {"index": index, "name": name, "arguments": _arguments(arguments)},
    }


def _arguments(arguments: str) -> dict[str, Any]:
    """The JSON object Ollama needs from OpenAI's JSON-encoded arguments string."""
    if not arguments.strip():
        return {}
    try:
        decoded = json.loads(arguments)
    except json.JSONDecodeError:
        decoded = None
    if not isinstance(decoded, dict):
        # Ollama cannot carry anything but an object here; sending `{}` would silently change the history.
        raise UpstreamBadRequestError(
            f"{PROVIDER} needs tool call arguments as a JSON object", provider=PROVIDER
        )
    return decoded


def _tools(req: ChatRequest) -> list[WireTool]:
    """The tools to offer. Ollama has no `tool_choice`, so it is approximated by which tools are sent:
    `none` sends none, a forced function sends only that one, `auto`/`required` send all (required cannot be
    enforced)."""
    choice = req.tool_choice
    if choice is not None and choice.mode == "none":
        return []
    tools = req.tools
    if choice is not None and choice.mode == "function" and choice.name:
        tools = [t for t in req.tools if t.name == choice.name] or req.tools
    return [_tool(t) for t in tools]


def _tool(tool: Tool) -> WireTool:
    function: WireFunction = {"name": tool.name, "parameters": tool.parameters}
    if tool.description:
        function["description"] = tool.description
    return {"type": "function", "function": function}


def _format(response_format: ResponseFormat | None) -> str | dict[str, Any] | None:
    if response_format is None or response_format.type == "text":
        return None
    if response_format.type == "json_schema" and response_format.json_schema:
        return response_format.json_schema
    return "json"


def _options(req: ChatRequest) -> WireOptions:
    options: WireOptions = {}
    if req.temperature is not None:
        options["temperature"] = req.temperature
    if req.top_p is not None:
        options["top_p"] = req.top_p
    if req.max_tokens is not None:
        options["num_predict"] = req.max_tokens
    if req.stop:
        options["stop"] = list(req.stop)
    if req.seed is not None:
        options["seed"] = req.seed
    return options
