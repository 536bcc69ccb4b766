from __future__ import annotations


def test_lookup_icd_code(fixture_codeset):
    info = fixture_codeset.lookup("e11.65")
    assert info.code == "E11.65" and info.system == "icd10cm" and info.billable
    assert info.parent == "E11.6"
    assert info.category == "Diabetes mellitus (E08-E13)"
    assert any("Z79.4" in line for line in info.notes["use_additional"])  # inherited from E11


def test_lookup_category_notes(fixture_codeset):
    info = fixture_codeset.lookup("E11")
    assert not info.billable and info.kind == "category"
    assert any("E10" in line for line in info.notes["excludes1"])
    assert "E11.9" in info.children


def test_seventh_character_definitions_are_inherited(fixture_codeset):
    info = fixture_codeset.lookup("S52.502A")
    assert info.kind == "extension"
    assert any(line.startswith("A: initial encounter for closed fracture") for line in info.notes["seven_chr_def"])


def test_lookup_procedure_codes(fixture_codeset):
    info = fixture_codeset.lookup("j2405")
    assert (info.code, info.system, info.unit, info.parent, info.children) == ("J2405", "hcpcs", "1 mg", None, [])
    assert fixture_codeset.lookup("99214").category == "E/M office, established"
    assert fixture_codeset.lookup("E99.99") is None
    assert fixture_codeset.lookup("") is None


def test_parent_ancestors_children(fixture_codeset):
    assert fixture_codeset.parent("S52.502A") == "S52.502"
    assert fixture_codeset.ancestors("S52.502A") == ["S52.502", "S52.50", "S52.5", "S52", "S50-S59", "19"]
    assert fixture_codeset.children("E11")[:2] == ["E11.0", "E11.1"]
    assert fixture_codeset.children("E11.9") == []
    assert fixture_codeset.parent("99214") is None
    assert fixture_codeset.ancestors("nonsense") == [] and fixture_codeset.children("nonsense") == []


def test_category_that_shares_its_block_name(fixture_codeset):
    info = fixture_codeset.lookup("B99")
    assert info.kind == "category" and info.children == ["B99.8", "B99.9"]
    assert fixture_codeset.ancestors("B99.9") == ["B99", "1"]


def test_codes_listing(fixture_codeset):
    assert fixture_codeset.codes("hcpcs") == ["J3420", "J2405", "E1161"]
    icd_all = fixture_codeset.codes("icd10cm", billable_only=False)
    assert "E11" in icd_all and "E08-E13" not in icd_all and "4" not in icd_all


def test_stats(fixture_codeset):
    stats = fixture_codeset.stats()
    assert stats["cpt"]["codes"] == 3 and stats["hcpcs"]["billable"] == 3
    assert stats["icd10cm"]["billable"] == len(fixture_codeset.codes("icd10cm"))
    assert stats["hcpcs"]["version"] == "test-1"
    assert "simple-icd-10-cm" in stats["icd10cm"]["source"]
