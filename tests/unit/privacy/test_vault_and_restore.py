"""Placeholders out, originals back: in whole responses, JSON tool arguments and split stream chunks."""

from __future__ import annotations

import json

import pytest

from gateway.privacy.entities import Entity
from gateway.privacy.restore import StreamRestorer
from gateway.privacy.vault import Vault


def _vault_with(*pairs: tuple[str, str]) -> tuple[Vault, list[str]]:
    vault = Vault()
    return vault, [vault.placeholder(t, v) for t, v in pairs]


def test_same_value_same_placeholder_numbered_per_type() -> None:
    _vault, placeholders = _vault_with(("PERSON", "Anna"), ("PERSON", "Jan"), ("PERSON", "Anna"), ("IBAN", "DE89"))
    assert placeholders == ["<PERSON_1>", "<PERSON_2>", "<PERSON_1>", "<IBAN_1>"]


def test_redact_replaces_spans_and_counts_types() -> None:
    vault = Vault()
    text = "Herr Max Müller, IBAN DE89370400440532013000."
    redacted = vault.redact(text, [Entity("PERSON", 5, 15, 0.9), Entity("IBAN", 22, 44, 1.0)])
    assert redacted == "Herr <PERSON_1>, IBAN <IBAN_1>."
    assert dict(vault.detections) == {"PERSON": 1, "IBAN": 1}
    assert vault.restore(redacted) == text


def test_unknown_placeholders_are_left_alone() -> None:
    vault, _ = _vault_with(("PERSON", "Anna"))
    assert vault.restore("<PERSON_1> und <PERSON_7> und <b>") == "Anna und <PERSON_7> und <b>"


def test_json_arguments_stay_valid_json_with_quotes_in_values() -> None:
    vault, (placeholder,) = _vault_with(("PERSON", 'Anna "Ann" Weber'))
    restored = vault.restore_json_arguments(json.dumps({"name": placeholder, "n": 1}))
    assert json.loads(restored) == {"name": 'Anna "Ann" Weber', "n": 1}


@pytest.mark.parametrize(
    "chunks",
    [
        ["Hallo <PERSON_1>, wie geht's?"],
        ["Hallo <", "PERSON_1>, wie geht's?"],
        ["Hallo <PER", "SON_", "1", ">, wie geht's?"],
        ["Hallo ", "<", "P", "E", "R", "S", "O", "N", "_", "1", ">", ", wie geht's?"],
    ],
)
def test_stream_restore_handles_placeholders_split_across_chunks(chunks: list[str]) -> None:
    vault, _ = _vault_with(("PERSON", "Anna Weber"))
    restorer = StreamRestorer(vault)
    out = "".join(restorer.feed(c) for c in chunks) + restorer.flush()
    assert out == "Hallo Anna Weber, wie geht's?"


def test_stream_restore_never_holds_more_than_a_placeholder() -> None:
    vault, _ = _vault_with(("PERSON", "Anna"))
    restorer = StreamRestorer(vault)
    assert restorer.feed("a < b and 3 <") == "a < b and 3 "
    assert restorer.feed(" 4") == "< 4"
    long_text = "x" * 10_000
    assert restorer.feed(long_text) == long_text


def test_stream_restore_json_escapes_inside_tool_arguments() -> None:
    vault, _ = _vault_with(("PERSON", 'Jo "J" Doe'))
    restorer = StreamRestorer(vault, json_escape=True)
    out = restorer.feed('{"name": "<PERS') + restorer.feed('ON_1>"}') + restorer.flush()
    assert json.loads(out) == {"name": 'Jo "J" Doe'}
