from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("e119", "E11.9"), ("E11.9", "E11.9"), (" e11.65 ", "E11.65"), ("s52502a", "S52.502A"),
        ("W000XXA", "W00.0XXA"), ("w00.0xxa", "W00.0XXA"), (" 99214 ", "99214"), ("j3420", "J3420"),
        ("3044f", "3044F"), ("I10", "I10"), ("E11", "E11"), ("e11.6-5", "E11.65"),
    ],
)
def test_normalize(fixture_codeset, raw, expected):
    assert fixture_codeset.normalize(raw) == expected


def test_normalize_unknown_codes_by_format(fixture_codeset):
    assert fixture_codeset.normalize("z9999") == "Z99.99"  # not a code, but ICD-shaped only
    assert fixture_codeset.normalize("xyz") == "XYZ"
    assert fixture_codeset.normalize("  ") == ""


def test_normalize_forced_system(fixture_codeset):
    assert fixture_codeset.normalize("e1161", system="icd10cm") == "E11.61"
    assert fixture_codeset.normalize("e1161", system="hcpcs") == "E1161"


@pytest.mark.parametrize(
    ("raw", "system"),
    [
        ("E11.9", "icd10cm"), ("S52.502A", "icd10cm"), ("99214", "cpt"), ("0591T", "cpt"),
        ("J3420", "hcpcs"), ("E1161", "hcpcs"), ("E11.61", "icd10cm"), ("E116", "icd10cm"),
        ("XYZ", None), ("", None), ("12", None), ("J34201", "icd10cm"),
    ],
)
def test_detect_system(fixture_codeset, raw, system):
    assert fixture_codeset.detect_system(raw) == system


def test_unknown_system_name_is_an_error(fixture_codeset):
    with pytest.raises(ValueError, match="unknown code system"):
        fixture_codeset.validate("E11.9", system="icd9")
