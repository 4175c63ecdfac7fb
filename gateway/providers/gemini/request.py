"""Canonical request -> Gemini `generateContent` body (REST v1beta, camelCase JSON).

Gemini differs from OpenAI in ways that shape this module:
- there is no system role: system messages become `systemInstruction`;
- roles are `user` and `model`; tool results are `functionResponse` parts sent as `user`;
- a tool result is matched to its call by function *name*, not by id, so the names are looked up from the
  assistant turns that made the calls;
- tool parameters and response schemas are plain JSON Schema (`parametersJsonSchema`, `responseJsonSchema`),
  so OpenAI's schemas pass through unchanged instead of being down-converted to the OpenAPI subset.
`user` and `metadata` have no Gemini Developer API counterpart and are dropped.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.types import ChatRequest, Message, ResponseFormat, Tool, ToolChoice

Json = dict[str, Any]

# Gemini 3 rejects replayed functionCall parts without the thoughtSignature it issued. The canonical types do
# not carry signatures, so, as Google documents for histories built elsewhere, we send the skip sentinel.
SKIP_SIGNATURE = "skip_thought_signature_validator"

_MODES = {"auto": "AUTO", "none": "NONE", "required": "ANY", "function": "ANY"}


def to_wire(req: ChatRequest) -> Json:
    """Translate `req` into a Gemini `GenerateContentRequest` body (without the model, which is in the path).

    Args:
        req: The canonical request; `req.model` is the upstream model id.

    Returns:
        The JSON body for `models/{model}:generateContent` / `:streamGenerateContent`.
    """
    body: Json = {"contents": _contents(req.messages, _needs_signature(req.model))}
    system = [{"text": m.content} for m in req.messages if m.role == "system" and m.content]
    if system:
        body["systemInstruction"] = {"parts": system}
    if req.tools:
        body["tools"] = [{"functionDeclarations": [_declaration(t) for t in req.tools]}]
        if req.tool_choice is not None:
            body["toolConfig"] = {"functionCallingConfig": _calling_config(req.tool_choice)}
    config = _generation_config(req)
    if config:
        body["generationConfig"] = config
    return body


def _needs_signature(model: str) -> bool:
    return model.removeprefix("models/").startswith("gemini-3")


def _contents(messages: list[Message], sign_calls: bool) -> list[Json]:
    """Conversation turns; consecutive tool results merge into one `user` turn, as Gemini expects for
    parallel calls."""
    names: dict[str, str] = {}  # tool_call_id -> function name, from earlier assistant turns
    contents: list[Json] = []
    merging = False
    for message in messages:
        if message.role == "system":
            continue
        if message.role == "tool":
            part = _function_response(message, names)
            if merging:
                contents[-1]["parts"].append(part)
            else:
                contents.append({"role": "user", "parts": [part]})
            merging = True
            continue
        merging = False
        if message.role == "assistant":
            names.update({call.id: call.name for call in message.tool_calls})
            parts = _assistant_parts(message, sign_calls)
        else:
            # Gemini rejects empty text parts, so an empty user turn is left out.
            parts = [{"text": message.content}] if message.content else []
        if parts:
            contents.append({"role": "model" if message.role == "assistant" else "user", "parts": parts})
    return contents


def _assistant_parts(message: Message, sign_calls: bool) -> list[Json]:
    parts: list[Json] = [{"text": message.content}] if message.content else []
    for i, call in enumerate(message.tool_calls):
        part: Json = {"functionCall": {"name": call.name, "args": _arguments(call.arguments)}}
        if sign_calls and i == 0:
            # Only the first call of a (parallel) step carries a signature.
            part["thoughtSignature"] = SKIP_SIGNATURE
        parts.append(part)
    return parts


def _arguments(arguments: str) -> Json:
    """`args` must be a JSON object; OpenAI clients send it encoded as a string (sometimes empty)."""
    try:
        value = json.loads(arguments) if arguments.strip() else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _function_response(message: Message, names: dict[str, str]) -> Json:
    """A tool result; its content goes under `output`, the key the Gemini docs recommend."""
    name = names.get(message.tool_call_id or "") or message.name or message.tool_call_id or "tool"
    content = message.content or ""
    try:
        output: Any = json.loads(content)
    except ValueError:
        output = content
    return {"functionResponse": {"name": name, "response": {"output": output}}}


def _declaration(tool: Tool) -> Json:
    declaration: Json = {"name": tool.name, "parametersJsonSchema": tool.parameters}
    if tool.description:
        declaration["description"] = tool.description
    return declaration


def _calling_config(choice: ToolChoice) -> Json:
    config: Json = {"mode": _MODES[choice.mode]}
    if choice.mode == "function" and choice.name:
        config["allowedFunctionNames"] = [choice.name]
    return config


def _generation_config(req: ChatRequest) -> Json:
    config: Json = {}
    if req.temperature is not None:
        config["temperature"] = req.temperature
    if req.top_p is not None:
        config["topP"] = req.top_p
    if req.max_tokens is not None:
        config["maxOutputTokens"] = req.max_tokens
    if req.stop:
        config["stopSequences"] = list(req.stop)
    if req.seed is not None:
        config["seed"] = req.seed
    if req.response_format is not None:
        config.update(_response_format(req.response_format))
    return config


def _response_format(fmt: ResponseFormat) -> Json:
    if fmt.type == "json_object":
        return {"responseMimeType": "application/json"}
    if fmt.type == "json_schema":
        out: Json = {"responseMimeType": "application/json"}
        if fmt.json_schema is not None:
            out["responseJsonSchema"] = fmt.json_schema
        return out
    return {}
