"""German PII never reaches a provider, and the client gets the originals back, streamed or not."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import PROVIDERS, Stack

MODELS = {provider: spec[3] for provider, spec in PROVIDERS.items()}
IBAN = "DE89 3704 0044 0532 0130 00"
EMAIL = "thomas.mueller@beispiel-gmbh.de"
TEXT = f"Guten Tag, bitte überweisen Sie den Betrag auf {IBAN}. Rückfragen an {EMAIL}."


def _received(stack: Stack, provider: str) -> list[str]:
    protocol = PROVIDERS[provider][0]
    return httpx.get(stack.mocks[protocol].url + "/_mock/requests").json()["bodies"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_pii_is_redacted_on_the_way_out_and_restored_on_the_way_back(gateway_stack: Stack, provider: str) -> None:
    completion = gateway_stack.client().chat.completions.create(
        model=MODELS[provider], messages=[{"role": "user", "content": TEXT}]
    )
    answer = completion.choices[0].message.content or ""
    assert IBAN in answer and EMAIL in answer  # the mock echoed placeholders; the gateway restored them
    sent = _received(gateway_stack, provider)[-1]
    assert "<IBAN_1>" in sent and "<EMAIL_1>" in sent
    assert IBAN not in sent and EMAIL not in sent and "0532 0130" not in sent


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini", "ollama"])
def test_streamed_answers_are_restored(gateway_stack: Stack, provider: str) -> None:
    stream = gateway_stack.client().chat.completions.create(
        model=MODELS[provider], messages=[{"role": "user", "content": TEXT}], stream=True
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert IBAN in text and EMAIL in text
    assert "<IBAN_1>" not in text
    assert all(IBAN not in body for body in _received(gateway_stack, provider))


def test_pii_detect_endpoint_reports_types_and_offsets(gateway_stack: Stack) -> None:
    response = httpx.post(
        gateway_stack.url + "/v1/pii/detect",
        json={"text": TEXT, "language": "de"},
        headers={"authorization": f"Bearer {gateway_stack.key}"},
    )
    body = response.json()
    assert response.status_code == 200
    found = {(e["type"], TEXT[e["start"] : e["end"]]) for e in body["entities"]}
    assert ("IBAN", IBAN) in found and ("EMAIL", EMAIL) in found
    assert IBAN not in body["redacted"] and "<IBAN_1>" in body["redacted"]


def test_pii_detect_needs_a_key(gateway_stack: Stack) -> None:
    assert httpx.post(gateway_stack.url + "/v1/pii/detect", json={"text": "x"}).status_code == 401
