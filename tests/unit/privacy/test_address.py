"""ADDRESS: street + house number and postcode + city, as two spans."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "street",
    [
        "Hauptstraße 12a",
        "Karl-Marx-Allee 90",
        "Lindenweg 4",
        "Berliner Straße 5",
        "Bahnhofstrasse 1",
        "Straße des 17. Juni 100",
        "Graf-von-Stauffenberg-Straße 3",
        "Mariahilfer Straße 12-14",
    ],
)
def test_street_with_house_number_is_found(spans, street):
    assert ("ADDRESS", street) in spans(f"Wir wohnen in der {street}, das ist schön.", "ADDRESS")


def test_prefix_street_is_found_with_postcode(spans):
    assert spans("Am Markt 3, 04109 Leipzig", "ADDRESS") == [
        ("ADDRESS", "Am Markt 3"),
        ("ADDRESS", "04109 Leipzig"),
    ]


@pytest.mark.parametrize("place", ["10115 Berlin", "A-1010 Wien", "8001 Zürich", "60311 Frankfurt am Main"])
def test_postcode_and_city_is_found(spans, place):
    assert spans(f"Lieferung nach {place} erfolgt.", "ADDRESS") == [("ADDRESS", place)]


def test_bare_city_is_not_an_address(spans):
    assert spans("Ich war gestern in Berlin und Wien.", "ADDRESS") == []


def test_count_with_noun_is_not_a_postcode(spans):
    assert spans("Wir haben 12000 Mitarbeiter und 50000 Kunden.", "ADDRESS") == []


def test_year_is_not_a_postcode(spans):
    assert spans("Im Jahr 2023 Berlin besucht.", "ADDRESS") == []


def test_parking_space_is_not_a_street(spans):
    assert spans("Ihr Parkplatz 12 ist reserviert.", "ADDRESS") == []
