"""Score how hard a chat request is, locally and in microseconds, to route it to the cheapest adequate tier.

The score adds weighted cues (English and German) found in the last user turn and, with lower weights, in the
pasted material, the earlier turns and the system prompt, then subtracts cues of a short or mechanical answer.
What the user *asks for* dominates: a long e-mail with "fix the typos" stays cheap, one line asking for a proof
goes premium. The raw sum maps to 0..1 as `1 - 2^(-raw / 0.5)`, so a raw 0.5 (one strong cue) scores 0.5;
two thresholds cut the score into tiers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Literal

from gateway.routing.complexity import cues
from gateway.routing.complexity.stems import StemIndex, normalise
from gateway.routing.complexity.text import Parts, split_request
from gateway.types import ChatRequest

Tier = Literal["cheap", "standard", "premium"]

REAL_CODE_LINES = 8
LONG_ASK_WORDS = 45
LONG_CONTEXT_CHARS = 60_000
BIG_MAX_TOKENS = 4000
SMALL_MAX_TOKENS = 64
GREETING_WORDS = 8
TOOL_STEPS = 3  # this many action verbs in the ask, with tools offered, is multi-step tool work
_ACTIONS = (
    r"\b(check|refund|email|e-mail|create|find|break\s+it\s+down|plot|compare|search|prüfe|erstatte|informiere"
    r"|leg\w*\s+aufgaben|such\w*|send|update|schedule|analy[sz]e)\b"
)
_REASON_NAMES = {"proof": "math"}  # reported reasons stay few and stable


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
    short_answer: float = 0.4
    mechanical: float = 0.4
    greeting: float = 0.6
    real_code: float = 0.15
    long_ask: float = 0.25
    tools_multi_step: float = 0.5
    max_tokens_long: float = 0.15
    max_tokens_short: float = 0.3
    long_context: float = 0.2


class ComplexityScorer:
    """Maps a chat request to a complexity score and tier. Build once; `score` is pure and thread-safe.

    Args:
        standard_at: scores at or above this leave the cheap tier.
        premium_at: scores at or above this go premium. Lower it to protect quality, raise it to save more.
        weights: the weights of the parts around the ask.
    """

    DEFAULTS: ClassVar[dict[str, float]] = {"standard_at": 0.25, "premium_at": 0.5}

    def __init__(
        self, *, standard_at: float = 0.25, premium_at: float = 0.5, weights: Weights | None = None
    ) -> None:
        if not 0.0 <= standard_at <= premium_at <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= standard_at <= premium_at <= 1")
        self._standard_at = standard_at
        self._premium_at = premium_at
        self._w = weights or Weights()
        self._hard = StemIndex(cues.HARD_PHRASES)
        self._form = StemIndex({"standard": cues.STANDARD_PHRASES, "short": cues.SHORT_ANSWER_PHRASES,
                                "mechanical": cues.MECHANICAL_PHRASES})
        flags = re.IGNORECASE
        self._ask_regexes = (
            ("math", re.compile(cues.EQUATION, flags)), ("legal", re.compile(cues.LEGAL_REFERENCE, flags)),
            ("reasoning", re.compile(cues.COMPARE_WHEN, flags)), ("long_output", re.compile(cues.WORD_COUNT, flags)),
        )
        self._greeting = re.compile(cues.GREETING, flags)
        self._closing = re.compile(cues.CLOSING, flags)
        self._actions = re.compile(_ACTIONS, flags)

    def score(self, request: ChatRequest) -> Complexity:
        """Score `request`; never raises for any well-formed request."""
        parts = split_request(request)
        ask = normalise(parts.ask)
        reasons: dict[str, float] = {}
        found = self._hard.find(ask) | {name for name, rx in self._ask_regexes if rx.search(parts.ask)}
        raw = self._add(found, 1.0, reasons)
        raw += self._add(self._hard.find(normalise(parts.material)), self._w.material, reasons)
        raw += self._add(self._hard.find(normalise(parts.system)), self._w.system, reasons)
        form = self._form.find(ask)
        if found or not form & {"short", "mechanical"}:  # a short or mechanical ask does not continue the thread
            raw += self._context(parts, reasons)
        raw += self._shape(parts, ask, form, request, raw, reasons)
        score = 1.0 - 2.0 ** (-max(raw, 0.0) / 0.5)
        named = {_REASON_NAMES.get(r, r) for r in reasons}
        return Complexity(score=round(score, 4), tier=self._tier(score), reasons=tuple(sorted(named)))

    def _tier(self, score: float) -> Tier:
        if score >= self._premium_at:
            return "premium"
        if score >= self._standard_at:
            return "standard"
        return "cheap"

    @staticmethod
    def _add(found: set[str], scale: float, reasons: dict[str, float]) -> float:
        """Sum of the weights of the cue groups found, times `scale`; records them as reasons."""
        total = 0.0
        for reason in found:
            weight = cues.HARD_WEIGHTS[reason] * scale
            reasons[reason] = max(reasons.get(reason, 0.0), weight)
            total += weight
        return total

    def _context(self, parts: Parts, reasons: dict[str, float]) -> float:
        """Earlier turns count when the last turn continues the thread rather than closing it."""
        if not parts.history or self._closing.search(parts.ask):
            return 0.0
        earlier = max(sum(cues.HARD_WEIGHTS[r] for r in self._hard.find(normalise(t))) for t in parts.history)
        if earlier <= 0.0:
            return 0.0
        reasons["context"] = earlier
        return self._w.history * min(earlier, 1.5)

    def _shape(
        self, parts: Parts, ask: str, form: set[str], request: ChatRequest, raw: float, reasons: dict[str, float]
    ) -> float:
        """Adjustments from the form of the request: task type, answer size, code, tools, length."""
        w = self._w
        bonuses = (
            ("writing", w.standard_task, raw < 0.5 and "standard" in form),
            ("code", w.real_code, parts.code_lines >= REAL_CODE_LINES),
            ("long_ask", w.long_ask, len(ask.split()) >= LONG_ASK_WORDS),
            ("tools", w.tools_multi_step,
             bool(request.tools) and len(self._actions.findall(parts.ask)) >= TOOL_STEPS),
            ("long_output", w.max_tokens_long, (request.max_tokens or 0) >= BIG_MAX_TOKENS),
            ("long_context", w.long_context, parts.total_chars >= LONG_CONTEXT_CHARS),
        )
        delta = 0.0
        for reason, weight, applies in bonuses:
            if applies:
                delta += weight
                reasons[reason] = max(reasons.get(reason, 0.0), weight)
        return delta - self._easiness(form, ask, request, reasons)

    def _easiness(self, form: set[str], ask: str, request: ChatRequest, reasons: dict[str, float]) -> float:
        w = self._w
        easy = w.short_answer * ("short" in form) + w.mechanical * ("mechanical" in form)
        if len(ask.split()) <= GREETING_WORDS and self._greeting.search(ask):
            easy += w.greeting
        if request.max_tokens is not None and request.max_tokens <= SMALL_MAX_TOKENS:
            easy += w.max_tokens_short
        if easy:
            reasons["short_answer"] = easy
        return easy
