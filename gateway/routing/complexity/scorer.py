"""Score how hard a chat request is, locally and in microseconds, to route it to the cheapest adequate tier.

The score adds weighted cues (English and German) found in the last user turn and, with lower weights, in the
pasted material, the earlier turns and the system prompt, then subtracts cues of a short or mechanical answer.
What the user *asks for* dominates: a long e-mail with "fix the typos" stays cheap, one line asking for a proof
goes premium. The raw sum maps to 0..1 as `1 - exp(-raw)`; two thresholds cut that into tiers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from gateway.routing.complexity import cues
from gateway.routing.complexity.text import Parts, split_request
from gateway.types import ChatRequest

Tier = Literal["cheap", "standard", "premium"]


@dataclass(frozen=True)
class Complexity:
    """How hard a request is: `score` in 0..1, the `tier` it maps to and the cues that decided it."""

    score: float
    tier: Tier
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Weights:
    """How much the parts around the ask count, and the size of the fixed adjustments. Tuned on the dev split."""

    material: float = 0.3  # hard cues in pasted material: a contract pasted for formatting is not legal work
    history: float = 0.6  # hard cues of earlier user turns carry over unless the last turn closes the thread
    system: float = 0.2  # a system prompt sets a persona; it rarely makes a greeting hard
    standard_task: float = 0.3
    easy: float = 0.4
    greeting: float = 0.6
    real_code: float = 0.15
    long_ask: float = 0.25
    tools_multi_step: float = 0.4
    max_tokens_long: float = 0.15
    max_tokens_short: float = 0.3
    long_context: float = 0.2


REAL_CODE_LINES = 8
LONG_ASK_WORDS = 45
LONG_CONTEXT_CHARS = 60_000
BIG_MAX_TOKENS = 4000
SMALL_MAX_TOKENS = 64
# Multi-step tool work: this many action verbs in the ask, with tools offered.
TOOL_STEPS = 3
_ACTIONS = (
    r"\b(check|refund|email|e-mail|create|find|break\s+it\s+down|plot|compare|search|prüfe|erstatte|informiere"
    r"|leg\w*|such\w*|send|update|schedule|analy[sz]e)\b"
)


class ComplexityScorer:
    """Maps a chat request to a complexity score and tier. Build once; `score` is pure and thread-safe.

    Args:
        standard_at: scores at or above this leave the cheap tier.
        premium_at: scores at or above this go premium. Lower it to protect quality, raise it to save more.
        weights: the weights of the parts around the ask.
    """

    def __init__(self, *, standard_at: float = 0.3, premium_at: float = 0.5, weights: Weights | None = None) -> None:
        if not 0.0 <= standard_at <= premium_at <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= standard_at <= premium_at <= 1")
        self._standard_at = standard_at
        self._premium_at = premium_at
        self._w = weights or Weights()
        flags = re.IGNORECASE | re.MULTILINE
        self._hard = tuple((c.reason, c.weight, re.compile(c.pattern, flags)) for c in cues.HARD_CUES)
        self._standard = re.compile(cues.STANDARD_CUE, flags)
        self._easy = tuple(re.compile(p, flags) for p in cues.EASY_CUES)
        self._greeting = re.compile(cues.GREETING, flags)
        self._closing = re.compile(cues.CLOSING, flags)
        self._actions = re.compile(_ACTIONS, flags)

    def score(self, request: ChatRequest) -> Complexity:
        """Score `request`; never raises for any well-formed request."""
        parts = split_request(request)
        reasons: dict[str, float] = {}
        raw = self._hard_cues(parts.ask, 1.0, reasons)
        raw += self._hard_cues(parts.material, self._w.material, reasons)
        raw += self._hard_cues(parts.system, self._w.system, reasons)
        raw += self._context(parts, reasons)
        raw += self._shape(parts, request, raw, reasons)
        score = 1.0 - math.exp(-max(raw, 0.0))
        return Complexity(score=round(score, 4), tier=self._tier(score), reasons=tuple(sorted(reasons)))

    def _tier(self, score: float) -> Tier:
        if score >= self._premium_at:
            return "premium"
        if score >= self._standard_at:
            return "standard"
        return "cheap"

    def _hard_cues(self, text: str, scale: float, reasons: dict[str, float]) -> float:
        """Sum of the strongest cue per reason found in `text`, times `scale`."""
        if not text:
            return 0.0
        best: dict[str, float] = {}
        for reason, weight, pattern in self._hard:
            if weight > best.get(reason, 0.0) and pattern.search(text):
                best[reason] = weight
        for reason, weight in best.items():
            reasons[reason] = max(reasons.get(reason, 0.0), weight * scale)
        return scale * sum(best.values())

    def _context(self, parts: Parts, reasons: dict[str, float]) -> float:
        """Earlier turns count when the last turn continues the thread rather than closing it."""
        if not parts.history or self._closing.search(parts.ask):
            return 0.0
        scratch: dict[str, float] = {}
        earlier = max(self._hard_cues(turn, 1.0, scratch) for turn in parts.history)
        if earlier <= 0.0:
            return 0.0
        reasons["context"] = earlier
        return self._w.history * min(earlier, 1.5)

    def _shape(self, parts: Parts, request: ChatRequest, raw: float, reasons: dict[str, float]) -> float:
        """Adjustments from the form of the request: task type, answer size, code, tools, length."""
        w = self._w
        delta = 0.0
        ask_words = len(parts.ask.split())
        if raw < 0.5 and self._standard.search(parts.ask):
            delta += w.standard_task
            reasons["writing"] = w.standard_task
        if parts.code_lines >= REAL_CODE_LINES:
            delta += w.real_code
            reasons["code"] = max(reasons.get("code", 0.0), w.real_code)
        if ask_words >= LONG_ASK_WORDS:
            delta += w.long_ask
            reasons["long_ask"] = w.long_ask
        if request.tools and len(self._actions.findall(parts.ask)) >= TOOL_STEPS:
            delta += w.tools_multi_step
            reasons["tools"] = w.tools_multi_step
        if request.max_tokens is not None and request.max_tokens >= BIG_MAX_TOKENS:
            delta += w.max_tokens_long
            reasons["long_output"] = max(reasons.get("long_output", 0.0), w.max_tokens_long)
        if parts.total_chars >= LONG_CONTEXT_CHARS:
            delta += w.long_context
            reasons["long_context"] = w.long_context
        return delta - self._easiness(parts, request, reasons)

    def _easiness(self, parts: Parts, request: ChatRequest, reasons: dict[str, float]) -> float:
        w = self._w
        easy = sum(w.easy for pattern in self._easy if pattern.search(parts.ask))
        if len(parts.ask.split()) <= 8 and self._greeting.search(parts.ask):
            easy += w.greeting
        if request.max_tokens is not None and request.max_tokens <= SMALL_MAX_TOKENS:
            easy += w.max_tokens_short
        if easy:
            reasons["short_answer"] = easy
        return easy
