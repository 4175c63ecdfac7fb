"""Analyzer: overlap resolution, type filter, birth dates, redaction preview."""

from __future__ import annotations

from gateway.privacy import Entity, redact_preview
from gateway.privacy.analyzer import resolve_overlaps


def test_higher_score_wins_an_overlap():
    kept = resolve_overlaps([Entity("A", 0, 10, 0.6), Entity("B", 5, 8, 0.9)])
    assert kept == [Entity("B", 5, 8, 0.9)]


def test_longer_span_wins_a_tie():
    kept = resolve_overlaps([Entity("A", 0, 4, 0.8), Entity("B", 0, 10, 0.8)])
    assert kept == [Entity("B", 0, 10, 0.8)]


def test_entities_come_sorted_by_start(analyzer):
    text = "Tel. 0171 1234567, Mail anna@firma.de, IBAN DE89370400440532013000"
    starts = [e.start for e in analyzer.detect(text)]
    assert starts == sorted(starts) and len(starts) == 3


def test_type_filter_returns_only_requested_types(analyzer):
    text = "Tel. 0171 1234567, Mail anna@firma.de"
    assert {e.type for e in analyzer.detect(text, frozenset({"EMAIL"}))} == {"EMAIL"}


def test_birth_date_found_only_with_birth_context(spans):
    assert spans("geboren am 12.03.1985, Termin am 01.02.2024", "DATE_OF_BIRTH") == [
        ("DATE_OF_BIRTH", "12.03.1985")
    ]


def test_birth_date_after_star_is_found(spans):
    assert spans("Max Mustermann (* 3. Mai 1990)", "DATE_OF_BIRTH") == [("DATE_OF_BIRTH", "3. Mai 1990")]


def test_redact_preview_numbers_per_type_and_reuses_numbers():
    text = "Anna an Jan, Anna"
    entities = [Entity("PERSON", 0, 4, 0.9), Entity("PERSON", 8, 11, 0.9), Entity("PERSON", 13, 17, 0.9)]
    assert redact_preview(text, entities) == "<PERSON_1> an <PERSON_2>, <PERSON_1>"


def test_full_mail_is_redacted(analyzer):
    text = "Hallo Anna,\nmeine IBAN ist DE89 3704 0044 0532 0130 00.\nViele Grüße\nJan Schulz"
    redacted = redact_preview(text, analyzer.detect(text))
    assert redacted == "Hallo <PERSON_1>,\nmeine IBAN ist <IBAN_1>.\nViele Grüße\n<PERSON_2>"


def test_text_without_pii_yields_nothing(analyzer):
    text = "Die Lieferung kommt am Montag, der Preis beträgt 49,99 € und die Rechnungsnummer ist RE-2024-001."
    assert analyzer.detect(text) == []
