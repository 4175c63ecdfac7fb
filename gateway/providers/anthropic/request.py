"""Canonical request -> Anthropic Messages API body (`POST /v1/messages`).

The differences from OpenAI's format that matter here:
- system prompts are a top-level `system` field, not messages;
- `max_tokens` is required;
- the conversation alternates user/assistant turns, so consecutive turns of one role are merged;
- tool calls are `tool_use` content blocks, tool results are `tool_result` blocks inside a *user* turn;
- `tool_choice` is an object (`auto`, `any`, `tool`, `none`), `parallel_tool_calls=False` becomes
  `disable_parallel_tool_use`;
- `response_format: json_schema` maps to structured outputs (`output_config.format`), `json_object` has no
  native equivalent and becomes a system instruction;
- `temperature` ranges 0..1 (OpenAI: 0..2); `seed` does not exist; `metadata` only knows `user_id`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from gateway.errors import InvalidRequestError
from gateway.types import ChatRequest, Message, ResponseFormat, Tool, ToolChoice

WireBody = dict[str, Any]
Block = dict[str, Any]

JSON_OBJECT_INSTRUCTION = (
    "Respond only with a single valid JSON object. Do not wrap it in a code block and do not add any text "
    "before or after it."
)


@dataclass(frozen=True)
class WireOptions:
    """Per-endpoint settings that change the body (from `ProviderConfig.options`).

    Attributes:
        default_max_tokens: used when the request sets no `max_tokens` (the API requires one).
        structured_outputs: send `json_schema` as native structured outputs; when False (older models
            without the feature) the schema goes into a system instruction instead.
    """

    default_max_tokens: int = 4096
    structured_outputs: bool = True

    @classmethod
    def from_options(cls, options: dict[str, str]) -> WireOptions:
        """Read `default_max_tokens` and `structured_outputs` from a provider's string options."""
        return cls(
            default_max_tokens=int(options.get("default_max_tokens", "4096")),
            structured_outputs=options.get("structured_outputs", "true").lower() not in ("false", "0", "no"),
        )


def to_wire(req: ChatRequest, options: WireOptions | None = None, *, stream: bool = False) -> WireBody:
    """Translate a canonical request into an Anthropic Messages API body.

    Args:
        req: the canonical request; `req.model` is already the upstream model id.
        options: endpoint settings; defaults apply when None.
        stream: set `"stream": true` in the body.

    Returns:
        The JSON-ready body.

    Raises:
        InvalidRequestError: an assistant tool call whose arguments are not a JSON object.
    """
    opts = options or WireOptions()
    body: WireBody = {
        "model": req.model,
        "max_tokens": req.max_tokens if req.max_tokens is not None else opts.default_max_tokens,
        "messages": _turns(req.messages),
    }
    system = _system_text(req, opts)
    if system:
        body["system"] = system
    _add_sampling(body, req)
    _add_tools(body, req)
    output_format = _output_format(req.response_format, opts)
    if output_format is not None:
        body["output_config"] = {"format": output_format}
    if req.user:
        # Anthropic's metadata has only `user_id`: an opaque id, which is what OpenAI's `user` is meant to be.
        body["metadata"] = {"user_id": req.user}
    if stream:
        body["stream"] = True
    return body


def _add_sampling(body: WireBody, req: ChatRequest) -> None:
    if req.temperature is not None:
        # OpenAI allows 0..2, Anthropic 0..1 and rejects more: clamp rather than fail a valid client request.
        body["temperature"] = min(max(req.temperature, 0.0), 1.0)
    if req.top_p is not None:
        body["top_p"] = req.top_p
    if req.stop:
        body["stop_sequences"] = list(req.stop)
    # `seed` has no Anthropic equivalent and is dropped.


def _system_text(req: ChatRequest, opts: WireOptions) -> str:
    """All system messages, wherever they stand, joined: the API has one system prompt per request."""
    parts = [m.content for m in req.messages if m.role == "system" and m.content]
    instruction = _format_instruction(req.response_format, opts)
    if instruction:
        parts.append(instruction)
    return "\n\n".join(parts)


def _format_instruction(fmt: ResponseFormat | None, opts: WireOptions) -> str | None:
    if fmt is None or fmt.type == "text":
        return None
    if fmt.type == "json_schema" and fmt.json_schema is not None:
        if opts.structured_outputs:
            return None  # enforced natively by output_config.format
        schema = json.dumps(fmt.json_schema, separators=(",", ":"))
        return f"{JSON_OBJECT_INSTRUCTION} The object must conform to this JSON Schema: {schema}"
    return JSON_OBJECT_INSTRUCTION


def _output_format(fmt: ResponseFormat | None, opts: WireOptions) -> dict[str, Any] | None:
    if fmt is None or fmt.type != "json_schema" or fmt.json_schema is None or not opts.structured_outputs:
        return None
    return {"type": "json_schema", "schema": fmt.json_schema}


def _add_tools(body: WireBody, req: ChatRequest) -> None:
    if not req.tools:
        return  # a tool_choice without tools is meaningless and the API rejects it
    body["tools"] = [_tool(t) for t in req.tools]
    choice = _tool_choice(req.tool_choice)
    if req.parallel_tool_calls is False and choice.get("type") != "none":
        choice["disable_parallel_tool_use"] = True
    if req.tool_choice is not None or len(choice) > 1:
        body["tool_choice"] = choice


def _tool(tool: Tool) -> Block:
    wire: Block = {"name": tool.name, "input_schema": tool.parameters}
    if tool.description:
        wire["description"] = tool.description
    if tool.strict:
        wire["strict"] = True
    return wire


def _tool_choice(choice: ToolChoice | None) -> Block:
    if choice is None or choice.mode == "auto":
        return {"type": "auto"}
    if choice.mode == "none":
        return {"type": "none"}
    if choice.mode == "required":
        return {"type": "any"}
    if choice.mode == "function" and choice.name:
        return {"type": "tool", "name": choice.name}
    raise InvalidRequestError("tool_choice of type function needs a function name", param="tool_choice")


def _turns(messages: list[Message]) -> list[dict[str, Any]]:
    """Non-system messages as alternating user/assistant turns of content blocks."""
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(message)
        if not blocks:
            continue  # the API rejects empty content
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)  # the API wants strict alternation: merge same-role turns
        else:
            turns.append({"role": role, "content": blocks})
    return [_tool_results_first(turn) for turn in turns]


def _tool_results_first(turn: dict[str, Any]) -> dict[str, Any]:
    """In a user turn, `tool_result` blocks must precede any text (the API returns 400 otherwise)."""
    if turn["role"] != "user":
        return turn
    blocks: list[Block] = turn["content"]
    results = [b for b in blocks if b["type"] == "tool_result"]
    others = [b for b in blocks if b["type"] != "tool_result"]
    return {"role": "user", "content": results + others}


def _blocks(message: Message) -> list[Block]:
    if message.role == "tool":
        return [_tool_result(message)]
    blocks: list[Block] = []
    if message.content:
        blocks.append({"type": "text", "text": message.content})
    if message.role == "assistant":
        blocks.extend(_tool_use(call.id, call.name, call.arguments) for call in message.tool_calls)
    return blocks


def _tool_result(message: Message) -> Block:
    if not message.tool_call_id:
        raise InvalidRequestError("a tool message needs tool_call_id", param="messages")
    block: Block = {"type": "tool_result", "tool_use_id": message.tool_call_id}
    if message.content:
        block["content"] = message.content
    return block


def _tool_use(call_id: str, name: str, arguments: str) -> Block:
    try:
        parsed = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidRequestError("tool call arguments must be a JSON object", param="messages")
    return {"type": "tool_use", "id": call_id, "name": name, "input": parsed}
