from __future__ import annotations

import pytest


@pytest.mark.parametrize("code", ["E11.9", "e119", "S52.502A", "W00.0XXA", "w000xxa", "I10", "99214", "3044F",
                                  "J3420", "j2405", "E1161", "E11.65"])
def test_valid_codes(fixture_codeset, code):
    result = fixture_codeset.validate(code)
    assert result.ok and result.status == "ok", result.message
    assert fixture_codeset.is_valid(code)


def test_ok_carries_normalized_code_and_system(fixture_codeset):
    result = fixture_codeset.validate(" s52502a ")
    assert (result.code, result.normalized, result.system) == (" s52502a ", "S52.502A", "icd10cm")
    assert "fracture" in result.message.lower()


def test_every_package_billable_code_validates(codeset):
    billable = codeset.codes("icd10cm")
    assert len(billable) == sum(record.billable for record in codeset.tables["icd10cm"].values())
    assert len(billable) > 74_000
    assert all(codeset.validate(code, "icd10cm").ok for code in billable[::97])
    assert sum(code.endswith("A") and len(code) == 8 for code in billable) > 10_000  # 7th-character codes


def test_category_is_not_billable_and_suggests_billable_children(fixture_codeset):
    result = fixture_codeset.validate("E11")
    assert result.status == "not_billable" and not result.ok
    assert result.suggestions and all(fixture_codeset.is_valid(code) for code in result.suggestions)
    assert all(code.startswith("E11.") for code in result.suggestions)
    assert not fixture_codeset.is_valid("E11")


def test_seventh_character_parent_is_not_billable(fixture_codeset):
    result = fixture_codeset.validate("S52.502")
    assert result.status == "not_billable"
    assert "S52.502A" in result.suggestions


@pytest.mark.parametrize("code", ["XYZ", "", "   ", "E", "123", "E11.9.9.9.9.9", "É11.9", "x" * 1_000_000, "E1.1.9"])
def test_bad_format(fixture_codeset, code):
    result = fixture_codeset.validate(code)
    assert result.status == "bad_format"
    assert len(result.message) < 200  # a huge input is not echoed back


def test_non_text_is_bad_format(fixture_codeset):
    assert fixture_codeset.validate(None).status == "bad_format"
    assert not fixture_codeset.is_valid(None)


def test_unknown_icd_code_suggests_nearest(fixture_codeset):
    result = fixture_codeset.validate("E11.99")
    assert result.status == "unknown" and result.system == "icd10cm"
    assert result.suggestions == ["E11.9"]


def test_missing_placeholder_is_suggested(fixture_codeset):
    result = fixture_codeset.validate("W00.0A")
    assert result.status == "unknown"
    assert result.suggestions[0] == "W00.0XXA"


def test_unknown_procedure_code_explains_curated_subset(fixture_codeset):
    result = fixture_codeset.validate("J9999")
    assert result.status == "unknown" and result.system == "hcpcs"
    assert "--hcpcs-file" in result.message
    assert fixture_codeset.validate("99999").system == "cpt"


@pytest.mark.parametrize(
    ("code", "forced", "actual"),
    [("99214", "icd10cm", "cpt"), ("E11.9", "cpt", "icd10cm"), ("J3420", "icd10cm", "hcpcs"),
     ("E11.9", "hcpcs", "icd10cm"), ("J3420", "cpt", "hcpcs")],
)
def test_wrong_system(fixture_codeset, code, forced, actual):
    result = fixture_codeset.validate(code, system=forced)
    assert result.status == "wrong_system"
    assert result.system == actual


def test_forced_system_resolves_ambiguous_spelling(fixture_codeset):
    assert fixture_codeset.validate("E1161", system="hcpcs").ok
    as_icd = fixture_codeset.validate("E1161", system="icd10cm")
    assert (as_icd.status, as_icd.normalized) == ("not_billable", "E11.61")


def test_describe(fixture_codeset):
    assert fixture_codeset.describe("e1165") == "Type 2 diabetes mellitus with hyperglycemia"
    assert fixture_codeset.describe("J2405").startswith("Injection, ondansetron")
    assert fixture_codeset.describe("E99.99") == ""
