"""The deterministic behaviour every mock shares: what to answer, and how many tokens that counts.

Each mock translates its wire format into a `Turn` and renders the `Reply` back in its own format, so the four
mocks answer the same conversation the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class MockTool:
    name: str
    parameters: dict[str, Any]


@dataclass
class Turn:
    """What a mock needs to know about an incoming conversation."""

    model: str
    last_user_text: str
    prompt_text: str  # everything that counts as input, for token counting
    tools: list[MockTool] = field(default_factory=list)
    tool_choice_none: bool = False
    forced_tool: str | None = None
    last_is_tool_result: bool = False
    tool_result_text: str = ""
    max_tokens: int | None = None
    stop: list[str] = field(default_factory=list)
    json_mode: bool = False


@dataclass
class MockToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass
class Reply:
    text: str
    tool_calls: list[MockToolCall]
    prompt_tokens: int
    completion_tokens: int
    finish: str  # "stop" | "length" | "tool_calls"


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: one token per whitespace-separated word, at least one."""
    return max(1, len(text.split()))


def _sample_value(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if schema.get("enum"):
        return schema["enum"][0]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return "mock"


def sample_arguments(parameters: dict[str, Any]) -> dict[str, Any]:
    """Arguments for a tool call that satisfy the schema's required properties."""
    props: dict[str, Any] = parameters.get("properties") or {}
    required = parameters.get("required") or list(props)
    return {name: _sample_value(props.get(name) or {}) for name in required}


def call_id(seed: str) -> str:
    return "call_" + hashlib.sha256(seed.encode()).hexdigest()[:16]


def _apply_limits(text: str, turn: Turn) -> tuple[str, str]:
    for stop in turn.stop:
        if stop and stop in text:
            return text[: text.index(stop)], "stop"
    words = text.split(" ")
    if turn.max_tokens is not None and len(words) > turn.max_tokens:
        return " ".join(words[: turn.max_tokens]), "length"
    return text, "stop"


def reply_to(turn: Turn) -> Reply:
    """The deterministic answer to `turn`: a tool call when tools are offered and not yet used, else text."""
    prompt_tokens = count_tokens(turn.prompt_text)
    wants_tool = turn.tools and not turn.tool_choice_none and not turn.last_is_tool_result
    if wants_tool:
        tool = next((t for t in turn.tools if t.name == turn.forced_tool), turn.tools[0])
        args = sample_arguments(tool.parameters)
        call = MockToolCall(call_id(turn.last_user_text + tool.name), tool.name, args)
        return Reply("", [call], prompt_tokens, count_tokens(json.dumps(args)), "tool_calls")
    if turn.json_mode:
        text = json.dumps({"answer": f"mock reply to: {turn.last_user_text[:60]}"})
    elif turn.last_is_tool_result:
        text = f"The tool returned: {turn.tool_result_text[:200]}"
    else:
        text = f"This is a mock answer from {turn.model} to: {turn.last_user_text[:200]}"
    text, finish = _apply_limits(text, turn)
    return Reply(text, [], prompt_tokens, count_tokens(text), finish)


def chunk_text(text: str, size: int = 3) -> list[str]:
    """Split text into stream deltas of `size` words each (keeping the spaces), so concatenation is exact."""
    words = text.split(" ")
    pieces = [" ".join(words[i : i + size]) for i in range(0, len(words), size)]
    return [p if i == 0 else " " + p for i, p in enumerate(pieces)]
