"""IBAN, STEUER_ID, CREDIT_CARD, VAT_ID, BIC, SVNR: checksum-validated numbers."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "iban",
    [
        "DE89 3704 0044 0532 0130 00",
        "DE89370400440532013000",
        "AT61 1904 3002 3457 3201",
        "CH93 0076 2011 6238 5295 7",
        "GB82 WEST 1234 5698 7654 32",
        "FR14 2004 1010 0505 0001 3M02 606",
    ],
)
def test_iban_found_in_any_notation(spans, iban):
    assert spans(f"Bitte auf {iban} überweisen.", "IBAN") == [("IBAN", iban)]


def test_iban_with_bad_checksum_is_ignored(spans):
    assert spans("Konto DE89 3704 0044 0532 0130 01", "IBAN") == []


def test_iban_followed_by_word_keeps_exact_span(spans):
    assert spans("IBAN DE89370400440532013000 BIC COBADEFFXXX", "IBAN") == [
        ("IBAN", "DE89370400440532013000")
    ]


@pytest.mark.parametrize("steuer_id", ["36574261809", "36 574 261 809"])
def test_steuer_id_found_compact_and_grouped(spans, steuer_id):
    assert spans(f"Steuer-ID: {steuer_id}", "STEUER_ID") == [("STEUER_ID", steuer_id)]


def test_steuer_id_with_wrong_check_digit_is_ignored(spans):
    assert spans("Steuer-ID: 36574261808", "STEUER_ID") == []


def test_steuer_id_with_bad_digit_distribution_is_ignored(spans):
    # Valid-looking length but every digit distinct: not allowed by the distribution rule.
    assert spans("Steuer-ID: 12345678901", "STEUER_ID") == []


def test_customer_number_is_not_a_steuer_id(spans):
    assert spans("Kundennummer 36574261809", "STEUER_ID") == []


@pytest.mark.parametrize("card", ["4111 1111 1111 1111", "5500-0000-0000-0004"])
def test_credit_card_in_groups_is_found(spans, card):
    assert spans(f"Zahlung mit {card} erfolgt.", "CREDIT_CARD") == [("CREDIT_CARD", card)]


def test_credit_card_failing_luhn_is_ignored(spans):
    assert spans("Kreditkarte 4111 1111 1111 1112", "CREDIT_CARD") == []


@pytest.mark.parametrize("vat", ["DE136695976", "ATU13585627", "CHE-116.281.710 MWST"])
def test_vat_id_is_found(spans, vat):
    assert spans(f"USt-IdNr.: {vat}", "VAT_ID") == [("VAT_ID", vat)]


def test_vat_id_with_bad_check_digit_is_ignored(spans):
    assert spans("USt-IdNr.: DE136695975", "VAT_ID") == []


def test_bic_after_label_is_found(spans):
    assert spans("BIC: COBADEFFXXX", "BIC") == [("BIC", "COBADEFFXXX")]


def test_upper_case_word_without_label_is_not_a_bic(spans):
    assert spans("Das ist GESCHAEFT pur.", "BIC") == []


def test_german_pension_number_with_valid_check_digit_is_found(spans):
    assert spans("RV-Nummer 15070649C103", "SVNR") == [("SVNR", "15070649C103")]


def test_german_pension_number_with_wrong_check_digit_is_ignored(spans):
    assert spans("RV-Nummer 15070649C104", "SVNR") == []
