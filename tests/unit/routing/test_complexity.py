"""Behaviours of the complexity scorer: German and English, adversarial cases, thresholds."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from gateway.routing.complexity import ComplexityScorer
from gateway.types import ChatRequest

LONG_EMAIL = "\n\n".join(
    ["Hi team,"]
    + [f"Paragraph {i}: the printers move to the corridor, parking stays the same, and the plants budget was "
       "approved. Please register visitors a day in advance so security can print the badges in time." for i in range(8)]
    + ["Best, Tom"]
)
CODE = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(12)) + "\n```"


def req(*turns: str, system: str | None = None, **extra: Any) -> ChatRequest:
    """User and assistant turns alternate, starting with the user."""
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(turns)]
    return msgspec.convert({"model": "auto", "messages": messages, **extra}, ChatRequest)


@pytest.fixture(scope="module")
def scorer() -> ComplexityScorer:
    return ComplexityScorer()


@pytest.mark.parametrize("text", ["Hallo, wie geht's?", "Hi there!", "Danke, das hat geholfen."])
def test_greetings_are_cheap(scorer: ComplexityScorer, text: str) -> None:
    assert scorer.score(req(text)).tier == "cheap"


@pytest.mark.parametrize("text", [
    "Beweise, dass es unendlich viele Primzahlen gibt.",
    "Prove that there are infinitely many prime numbers.",
    "Is P=NP? Argue both sides rigorously.",
])
def test_short_proofs_are_premium(scorer: ComplexityScorer, text: str) -> None:
    result = scorer.score(req(text))
    assert result.tier == "premium"
    assert "math" in result.reasons


def test_german_legal_analysis_is_premium(scorer: ComplexityScorer) -> None:
    result = scorer.score(req("Ist eine fristlose Kündigung wegen zweimaliger Verspätung wirksam?"))
    assert (result.tier, "legal" in result.reasons) == ("premium", True)


def test_english_debugging_is_premium(scorer: ComplexityScorer) -> None:
    result = scorer.score(req("Our pods deadlock under load in Postgres. What's going on and how do I investigate?"))
    assert (result.tier, "code" in result.reasons) == ("premium", True)


def test_long_email_with_typo_fix_is_cheap(scorer: ComplexityScorer) -> None:
    assert scorer.score(req(f"Please fix the typos in this email:\n\n{LONG_EMAIL}")).tier == "cheap"


def test_trivial_question_in_code_fence_is_cheap(scorer: ComplexityScorer) -> None:
    assert scorer.score(req("```python\nprint(len('hello'))\n```\nWhat does this print?")).tier == "cheap"


def test_analyse_keyword_in_trivial_context_is_cheap(scorer: ComplexityScorer) -> None:
    assert scorer.score(req("Analysiere mal kurz: Ist 'Handy' ein englisches Wort?")).tier == "cheap"


def test_proof_of_concept_is_not_a_proof(scorer: ComplexityScorer) -> None:
    assert scorer.score(req("Translate 'proof of concept' into German.")).tier == "cheap"


def test_thanks_after_hard_thread_is_cheap(scorer: ComplexityScorer) -> None:
    thread = ("Implement a thread-safe consistent-hashing ring with replication.", "Here is the code ...")
    assert scorer.score(req(*thread, "Thanks, that's perfect!")).tier == "cheap"


def test_follow_up_in_hard_thread_inherits_context(scorer: ComplexityScorer) -> None:
    thread = ("Implement a thread-safe consistent-hashing ring with replication.", "Here is the code ...")
    result = scorer.score(req(*thread, "And what if a node disappears while we add another one?"))
    assert (result.tier, "context" in result.reasons) == ("premium", True)


def test_hard_turn_after_small_talk_is_premium(scorer: ComplexityScorer) -> None:
    turns = ("hey", "Hi! How can I help?", "just bored", "Want a fun fact?", "ok: prove that the harmonic series diverges")
    assert scorer.score(req(*turns)).tier == "premium"


def test_expert_system_prompt_does_not_make_greeting_hard(scorer: ComplexityScorer) -> None:
    system = "You are a senior legal counsel. Give careful, rigorous analysis of liability and litigation risk."
    assert scorer.score(req("Hi! Are you there?", system=system)).tier == "cheap"


def test_moderate_writing_is_standard(scorer: ComplexityScorer) -> None:
    assert scorer.score(req("Schreib eine Produktbeschreibung für eine Kaffeemühle.")).tier == "standard"


def test_long_output_request_is_premium(scorer: ComplexityScorer) -> None:
    result = scorer.score(req("Write a 2000-word essay on the ethics of autonomous weapons."))
    assert (result.tier, "long_output" in result.reasons) == ("premium", True)


def test_large_max_tokens_raises_score(scorer: ComplexityScorer) -> None:
    text = "Schreib eine Produktbeschreibung für eine Kaffeemühle."
    assert scorer.score(req(text, max_tokens=8000)).score > scorer.score(req(text)).score


def test_tiny_max_tokens_lowers_score(scorer: ComplexityScorer) -> None:
    text = "Explain how a hash table works."
    assert scorer.score(req(text, max_tokens=20)).score < scorer.score(req(text)).score


def test_multi_step_tool_work_is_premium(scorer: ComplexityScorer) -> None:
    tools = [{"name": n} for n in ("get_invoices", "issue_refund", "send_email", "create_task")]
    ask = "Check the invoices of customer 7, refund duplicates, email them and create a follow-up task."
    result = scorer.score(req(ask, tools=tools))
    assert (result.tier, "tools" in result.reasons) == ("premium", True)


def test_simple_question_with_tools_is_cheap(scorer: ComplexityScorer) -> None:
    assert scorer.score(req("What's the weather in Hamburg?", tools=[{"name": "get_weather"}])).tier == "cheap"


def test_real_code_is_a_reason(scorer: ComplexityScorer) -> None:
    assert "code" in scorer.score(req(f"{CODE}\n\nExplain this code.")).reasons


def test_score_is_between_zero_and_one(scorer: ComplexityScorer) -> None:
    text = "Prove, derive and implement a thread-safe distributed DCF model with legal analysis " * 20
    assert 0.0 <= scorer.score(req(text)).score <= 1.0


def test_empty_conversation_is_cheap(scorer: ComplexityScorer) -> None:
    request = msgspec.convert({"model": "auto", "messages": [{"role": "system", "content": ""}]}, ChatRequest)
    assert scorer.score(request).tier == "cheap"


def test_lower_premium_threshold_promotes_standard_requests() -> None:
    text = "Schreib eine Produktbeschreibung für eine Kaffeemühle."
    assert ComplexityScorer(standard_at=0.1, premium_at=0.3).score(req(text)).tier == "premium"


def test_higher_thresholds_demote_premium_requests() -> None:
    text = "Ist eine fristlose Kündigung wegen zweimaliger Verspätung wirksam?"
    assert ComplexityScorer(standard_at=0.9, premium_at=0.95).score(req(text)).tier == "cheap"


def test_inverted_thresholds_are_rejected() -> None:
    with pytest.raises(ValueError):
        ComplexityScorer(standard_at=0.6, premium_at=0.4)
