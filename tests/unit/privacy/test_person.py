"""PERSON: name tokens only, from context and the first-name gazetteer."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Sehr geehrter Herr Müller, danke.", "Müller"),
        ("Liebe Frau Weber, anbei die Unterlagen.", "Weber"),
        ("Herr Dr. Thomas Schmidt kommt morgen.", "Thomas Schmidt"),
        ("Prof. Dr. Hanna Krause hält den Vortrag.", "Hanna Krause"),
        ("Hallo Anna, wie geht's?", "Anna"),
        ("Mit freundlichen Grüßen\nJan Schulz", "Jan Schulz"),
        ("Ansprechpartner: Kowalczyk, Thomas", "Kowalczyk, Thomas"),
        ("Von: Jan Schulz <jan@firma.de>", "Jan Schulz"),
        ("Gestern hat Katrin Hoffmann angerufen.", "Katrin Hoffmann"),
    ],
)
def test_name_found_with_its_exact_span(spans, text, name):
    assert ("PERSON", name) in spans(text, "PERSON")


def test_title_and_salutation_stay_outside(spans):
    assert spans("Frau Prof. Dr. Weber", "PERSON") == [("PERSON", "Weber")]


def test_first_name_alone_counts(spans):
    assert spans("Das hat Sabine gestern erledigt.", "PERSON") == [("PERSON", "Sabine")]


def test_repeated_surname_is_found_again(spans):
    found = spans("Herr Brandt rief an. Später kam Brandt vorbei.", "PERSON")
    assert found == [("PERSON", "Brandt"), ("PERSON", "Brandt")]


def test_noun_after_article_is_not_a_name(spans):
    assert spans("Der Koch hat das Essen gekocht.", "PERSON") == []


def test_noun_after_article_stays_a_noun_even_when_the_name_appears(spans):
    found = spans("Herr Koch sagt, der Koch sei krank.", "PERSON")
    assert found == [("PERSON", "Koch")]


def test_company_named_after_a_person_is_not_a_person(spans):
    assert spans("Die Müller GmbH liefert morgen.", "PERSON") == []


def test_firm_prefix_marks_an_organisation(spans):
    assert spans("Wir kaufen bei Bäckerei Schmidt ein.", "PERSON") == []


def test_herr_der_ringe_is_not_a_person(spans):
    assert spans("Ich lese Herr der Ringe.", "PERSON") == []


def test_group_greeting_is_not_a_person(spans):
    assert spans("Sehr geehrte Damen und Herren, hallo Team,", "PERSON") == []


def test_capitalised_nouns_are_not_names(spans):
    assert spans("Die Rechnung und die Bestellung kamen per Post.", "PERSON") == []
