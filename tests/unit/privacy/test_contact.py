"""EMAIL and PHONE."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "email", ["anna.weber@firma.de", "info@müller-bau.de", "j.schulz+news@example.co.uk"]
)
def test_plain_email_is_found(spans, email):
    assert spans(f"Schreiben Sie an {email}.", "EMAIL") == [("EMAIL", email)]


@pytest.mark.parametrize(
    "email", ["anna (at) firma.de", "anna[at]firma[dot]de", "anna (at) firma (punkt) de"]
)
def test_obfuscated_email_is_found(spans, email):
    assert spans(f"Kontakt: {email}", "EMAIL") == [("EMAIL", email)]


def test_at_in_english_prose_is_not_an_email(spans):
    assert spans("We meet at home today.", "EMAIL") == []


@pytest.mark.parametrize(
    "phone",
    [
        "(030) 123456-78",
        "+49 (0)30 12345678",
        "0171 1234567",
        "0171/1234567",
        "+49-89-1234-5678",
        "089 / 123 456 78",
        "0049 89 12345678",
        "+43 1 5123456",
        "01 5123456",
        "+41 44 668 18 00",
        "044 668 18 00",
    ],
)
def test_phone_found_in_common_notations(spans, phone):
    assert spans(f"Tel.: {phone} bitte", "PHONE") == [("PHONE", phone)]


def test_phone_extension_is_part_of_the_span(spans):
    assert spans("Tel. 030 1234567 Durchwahl 12.", "PHONE") == [("PHONE", "030 1234567 Durchwahl 12")]


def test_phone_label_stays_outside(spans):
    found = spans("Tel.: 0171 1234567", "PHONE")
    assert found == [("PHONE", "0171 1234567")]


def test_date_is_not_a_phone(spans):
    assert spans("Termin am 01.02.2024 um 10 Uhr", "PHONE") == []


def test_order_number_is_not_a_phone(spans):
    assert spans("Bestellnummer 0301234567", "PHONE") == []


def test_price_is_not_a_phone(spans):
    assert spans("Preis: 0,99 € pro Stück, 049,50 EUR gesamt", "PHONE") == []


def test_iban_digits_are_not_a_phone(spans):
    assert spans("DE89 3704 0044 0532 0130 00", "PHONE") == []


@pytest.mark.parametrize("phone", ["06641234567", "0441234567", "00436641234567", "0301234567"])
def test_unbroken_phone_of_any_region_is_found(spans, phone):
    assert spans(f"Rufen Sie {phone} an.", "PHONE") == [("PHONE", phone)]


@pytest.mark.parametrize("number", ["000123", "0004711", "00012345678901"])
def test_zero_led_file_number_is_not_a_phone(spans, number):
    assert spans(f"Ihre Rechnung (Vorgang {number}). Leider wurde", "PHONE") == []
