"""Pull the parts the scorer reads out of a conversation: the ask, pasted material, code, history, system."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.types import ChatRequest

_FENCE = re.compile(r"```[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_PARAGRAPH = re.compile(r"\n\s*\n")
# A paragraph longer than this, sitting between the first and last, is pasted material rather than the ask.
_ASK_PARAGRAPH_CHARS = 400
# Bound the text scanned per part so scoring stays far below a millisecond for any paste: the ask is read
# in full up to a long prompt's length; material, history and system prompts are weaker signals, a sample will do.
_ASK_CHARS = 4_000
_CONTEXT_CHARS = 2_000
_HISTORY_TURNS = 3


@dataclass(frozen=True)
class Parts:
    """The pieces of a request the scorer weighs differently.

    Attributes:
        ask: what the last user turn asks for, without pasted material or code.
        material: pasted text around the ask (an e-mail, a contract), scanned with a lower weight.
        code_lines: non-empty lines inside code fences in the last user turn.
        history: up to three earlier user turns, newest last.
        system: all system prompts joined.
        total_chars: characters in every message, for the long-context cue.
    """

    ask: str
    material: str
    code_lines: int
    history: tuple[str, ...]
    system: str
    total_chars: int


def split_request(request: ChatRequest) -> Parts:
    """Split a request into the parts the scorer reads."""
    users = [m.content or "" for m in request.messages if m.role == "user"]
    last = users[-1] if users else ""
    code = _FENCE.findall(last)
    prose = _FENCE.sub("\n\n", last)
    ask, material = _split_ask(prose)
    system = "\n".join(m.content or "" for m in request.messages if m.role == "system")
    return Parts(
        ask=ask[:_ASK_CHARS],
        material=material[:_CONTEXT_CHARS],
        code_lines=sum(1 for block in code for line in block.splitlines() if line.strip()),
        history=tuple(u[:_CONTEXT_CHARS] for u in users[:-1][-_HISTORY_TURNS:]),
        system=system[:_CONTEXT_CHARS],
        total_chars=sum(len(m.content or "") for m in request.messages),
    )


def _split_ask(text: str) -> tuple[str, str]:
    """The ask is the first and last paragraph when they are short; long or middle paragraphs are material."""
    paragraphs = [p.strip() for p in _PARAGRAPH.split(text) if p.strip()]
    if len(paragraphs) <= 1:
        return (paragraphs[0] if paragraphs else ""), ""
    ask: list[str] = []
    material: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        at_edge = i in (0, len(paragraphs) - 1)
        (ask if at_edge and len(paragraph) <= _ASK_PARAGRAPH_CHARS else material).append(paragraph)
    return "\n\n".join(ask), "\n\n".join(material)
