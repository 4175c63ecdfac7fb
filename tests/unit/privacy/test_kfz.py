"""KFZ: German, Austrian and Swiss plates."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "plate",
    ["M-AB 1234", "M AB 1234", "B-MW 2024E", "HH-XY 99H", "KÖN-A 7", "M-AB1234", "W-12345A", "W 12345 A"],
)
def test_plate_found_in_common_notations(spans, plate):
    assert spans(f"Kennzeichen {plate} parkt falsch.", "KFZ") == [("KFZ", plate)]


def test_swiss_plate_is_found(spans):
    assert spans("Das Auto mit ZH 123456 wurde abgeschleppt.", "KFZ") == [("KFZ", "ZH 123456")]


def test_unknown_district_code_is_not_a_plate(spans):
    assert spans("Kennzeichen QQ-AB 1234", "KFZ") == []


def test_company_suffix_with_year_is_not_a_swiss_plate(spans):
    assert spans("Die Siemens AG 2024 wächst.", "KFZ") == []
