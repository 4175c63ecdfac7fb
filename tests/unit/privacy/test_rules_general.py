"""General detection rules: e-mail headers, non-German names, full spans, Austrian and Swiss formats."""

from __future__ import annotations

import pytest

from gateway.privacy.recognizers.steuer_id import is_valid_steuer_id


def test_second_address_in_mail_header_is_found(spans):
    text = "Von: einkauf@hofer-moebel.at\nAn: r.ozturk@example.de\nCc: team@hofer-moebel.at"
    assert [value for _, value in spans(text, "EMAIL")] == [
        "einkauf@hofer-moebel.at",
        "r.ozturk@example.de",
        "team@hofer-moebel.at",
    ]


def test_two_addresses_close_together_in_prose_are_both_found(spans):
    text = "Früher (alt@posteo.de), jetzt neu@posteo.de."
    assert len(spans(text, "EMAIL")) == 2


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Sehr geehrter Herr Emre Kılıç,", "Emre Kılıç"),
        ("Rückmeldung an Frau Agnieszka Wróblewska.", "Agnieszka Wróblewska"),
        ("Liebe Frau Đurđević,", "Đurđević"),
        ("Kontaktperson: Thanh Pham", "Thanh Pham"),
    ],
)
def test_non_german_name_after_context_is_one_span(spans, text, name):
    assert ("PERSON", name) in spans(text, "PERSON")


def test_surname_comma_first_name_is_one_span(spans):
    assert ("PERSON", "Brzęczek, Ewa") in spans("Urlaubsantrag von Brzęczek, Ewa liegt vor.", "PERSON")


def test_surname_comma_first_name_after_label_is_one_span(spans):
    assert ("PERSON", "Werner, Julia") in spans("Teilnehmerin: Werner, Julia\n", "PERSON")


def test_initial_belongs_to_the_name(spans):
    assert ("PERSON", "K. Brandstätter") in spans("Viele Grüße\nK. Brandstätter", "PERSON")


def test_chat_speaker_is_a_name(spans):
    text = "[09:12] Dragan: bin gleich da\n[09:13] Ilka: ok"
    assert {value for _, value in spans(text, "PERSON")} == {"Dragan", "Ilka"}


def test_name_after_heisst_is_found(spans):
    assert ("PERSON", "Oberhuber") in spans("Der Techniker heißt Oberhuber, glaube ich.", "PERSON")


def test_compound_contact_label_announces_a_name(spans):
    assert ("PERSON", "Ines Vogl") in spans("Notfallkontakt: Ines Vogl, 0664 1234567", "PERSON")


def test_department_after_sign_off_is_not_a_name(spans):
    assert spans("Mit freundlichen Grüßen\nKundenbetreuung", "PERSON") == []


def test_surname_that_is_a_noun_after_salutation_is_a_name(spans):
    assert ("PERSON", "Zimmer") in spans("Sehr geehrte Frau Zimmer,", "PERSON")


@pytest.mark.parametrize(
    "text",
    [
        "Die Kanzlei Ortner Steuerberatung hat geantwortet.",
        "Auftrag an Yildiz Gebäudereinigung vergeben.",
        "Vertrag mit Pichler & Lanz Immobilien AG",
        "Wir sind Kunde bei Hausverwaltung Brunner.",
    ],
)
def test_business_named_after_a_person_is_not_a_person(spans, text):
    assert not any(
        value in {"Ortner", "Yildiz", "Pichler", "Lanz", "Brunner"} for _, value in spans(text, "PERSON")
    )


def test_saint_in_a_place_name_is_not_a_person(spans):
    assert spans("Die Filiale in Sankt Florian bleibt zu.", "PERSON") == []


@pytest.mark.parametrize("street", ["Mariahilfer Straße 88/3/12", "Grabenweg 4-6/1/7", "Am Anger 12a/2"])
def test_austrian_door_numbers_belong_to_the_street(spans, street):
    assert ("ADDRESS", street) in spans(f"Wohnung {street}, 1060 Wien", "ADDRESS")


@pytest.mark.parametrize(
    "place", ["4810 Gmunden am Traunsee", "1260 La Chaux-de-Fonds", "5020 Salzburg in Österreich"]
)
def test_multi_word_city_after_postcode_is_one_span(spans, place):
    assert ("ADDRESS", place) in spans(f"Lindenweg 5, {place}\n", "ADDRESS")


def test_postcode_label_announces_a_four_digit_postcode(spans):
    assert ("ADDRESS", "3380 Pöchlarn") in spans("PLZ/Ort: 3380 Pöchlarn\n", "ADDRESS")


def test_street_line_alone_in_signature_is_found(spans):
    text = "Beste Grüße\nLena Maurer\nOtto-Wagner-Ring 7\nD-04109 Leipzig"
    assert ("ADDRESS", "Otto-Wagner-Ring 7") in spans(text, "ADDRESS")


def test_street_ending_in_a_short_word_is_not_an_everyday_compound(spans):
    assert ("ADDRESS", "Krausring 18") in spans("Büro: Krausring 18, 8010 Graz", "ADDRESS")


@pytest.mark.parametrize("phone", ["+41 44 668 18 00-25", "+41-61-2671234-3"])
def test_swiss_number_with_dash_extension_is_one_span(spans, phone):
    assert ("PHONE", phone) in spans(f"Tel. {phone} bitte", "PHONE")


@pytest.mark.parametrize("plate", ["KU 4711 AB", "KU-12345 XY", "SV 2024 T"])
def test_austrian_plate_is_found(spans, plate):
    assert ("KFZ", plate) in spans(f"Kennzeichen {plate}.", "KFZ")


def test_grouped_swiss_plate_is_one_span(spans):
    assert ("KFZ", "BE 123 456") in spans("Fahrzeug: BE 123 456\n", "KFZ")


def test_paper_format_is_not_a_plate(spans):
    assert spans("Bitte als DIN A4 drucken.", "KFZ") == []


def test_steuer_id_with_triple_digit_in_a_row_is_rejected():
    assert not is_valid_steuer_id("57771234688")  # check digit fine, "777" breaks the digit rule


def test_steuer_id_with_triple_digit_apart_is_accepted():
    assert is_valid_steuer_id("57 172 734 680")
