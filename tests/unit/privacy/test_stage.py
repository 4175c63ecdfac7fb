"""The privacy stage: scrubbing requests by tenant policy, failing closed, restoring responses and streams."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from gateway.errors import InvalidRequestError
from gateway.privacy.analyzer import Analyzer
from gateway.privacy.stage import Privacy, PrivacyFailure
from gateway.types import (
    ChatRequest,
    ChatResponse,
    FinishEvent,
    Message,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
)

IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture(scope="module")
def privacy() -> Privacy:
    return Privacy(Analyzer())


def _request(*messages: Message) -> ChatRequest:
    return ChatRequest(model="m", messages=list(messages))


def test_scrub_redacts_every_message_and_tool_arguments(privacy: Privacy) -> None:
    request = _request(
        Message(role="system", content="Kontakt: service@example.org"),
        Message(role="user", content=f"Bitte überweisen Sie auf {IBAN}."),
        Message(role="assistant", tool_calls=[ToolCall(id="c", name="pay", arguments=json.dumps({"iban": IBAN}))]),
        Message(role="tool", tool_call_id="c", content=f"Überwiesen auf {IBAN}"),
    )
    scrubbed, vault = privacy.scrub(request, None)
    dumped = json.dumps([m.content for m in scrubbed.messages] + [scrubbed.messages[2].tool_calls[0].arguments])
    assert IBAN not in dumped and "service@example.org" not in dumped
    assert "<IBAN_1>" in scrubbed.messages[1].content  # type: ignore[operator]
    assert json.loads(scrubbed.messages[2].tool_calls[0].arguments) == {"iban": "<IBAN_1>"}
    assert vault.detections["IBAN"] == 3
    assert request.messages[1].content is not None and IBAN in request.messages[1].content  # original untouched


def test_block_policy_refuses_with_the_types(privacy: Privacy) -> None:
    with pytest.raises(InvalidRequestError) as info:
        privacy.scrub(_request(Message(role="user", content=f"IBAN {IBAN}")), {"default": "redact", "types": {"IBAN": "block"}})
    assert info.value.code == "pii_detected"
    assert "IBAN" in info.value.message and IBAN not in info.value.message


def test_allow_policy_sends_text_unchanged(privacy: Privacy) -> None:
    request = _request(Message(role="user", content=f"IBAN {IBAN}"))
    scrubbed, vault = privacy.scrub(request, {"default": "allow"})
    assert scrubbed.messages[0].content == f"IBAN {IBAN}" and not vault


def test_detector_failure_fails_closed() -> None:
    class Broken(Analyzer):
        def detect(self, text: str, types: frozenset[str] | None = None) -> list:  # type: ignore[type-arg]
            raise RuntimeError("boom")

    with pytest.raises(PrivacyFailure):
        Privacy(Broken()).scrub(_request(Message(role="user", content="hallo")), None)


def test_restore_response_puts_values_back(privacy: Privacy) -> None:
    _scrubbed, vault = privacy.scrub(_request(Message(role="user", content=f"IBAN {IBAN}")), None)
    response = ChatResponse(
        id="r",
        model="m",
        content="Ich habe <IBAN_1> notiert.",
        tool_calls=[ToolCall(id="c", name="f", arguments='{"iban": "<IBAN_1>"}')],
    )
    Privacy.restore_response(response, vault)
    assert response.content == f"Ich habe {IBAN} notiert."
    assert json.loads(response.tool_calls[0].arguments) == {"iban": IBAN}


async def test_restore_stream_across_split_events(privacy: Privacy) -> None:
    _, vault = privacy.scrub(_request(Message(role="user", content=f"IBAN {IBAN}")), None)

    async def events() -> AsyncIterator[StreamEvent]:
        for piece in ["Konto <IB", "AN_", "1> ist", " notiert <"]:
            yield TextDelta(text=piece)
        yield ToolCallDelta(index=0, id="c", name="f", arguments='{"iban": "<IBAN')
        yield ToolCallDelta(index=0, arguments='_1>"}')
        yield FinishEvent(reason="stop")

    out = [e async for e in Privacy.restore_stream(events(), vault)]
    text = "".join(e.text for e in out if isinstance(e, TextDelta))
    arguments = "".join(e.arguments for e in out if isinstance(e, ToolCallDelta))
    assert text == f"Konto {IBAN} ist notiert <"
    assert json.loads(arguments) == {"iban": IBAN}
    assert isinstance(out[-1], FinishEvent)
