from core.datasets.concepts import (
    ALL_DIAGNOSES,
    ALL_PROCEDURES,
    DRUGS,
    SUPPLIES,
    build_concept_table,
    concept_table,
)
from core.datasets.concepts.model import Diagnosis, expand_diagnosis


def test_concept_table_has_the_promised_size():
    assert len(ALL_DIAGNOSES) >= 150
    assert len(ALL_PROCEDURES) >= 60
    assert len(DRUGS) + len(SUPPLIES) >= 50
    keys = [d.key for d in ALL_DIAGNOSES] + [p.key for p in ALL_PROCEDURES] + [d.key for d in DRUGS]
    assert len(keys) == len(set(keys)), "concept keys must be unique"


def test_every_diagnosis_variant_is_a_billable_icd10cm_code(codeset):
    bad = [(v.key, v.code) for dx in ALL_DIAGNOSES for v in expand_diagnosis(dx) if not codeset.is_valid(v.code, "icd10cm")]
    assert bad == []


def test_filtered_table_keeps_only_valid_codes(codeset):
    table = concept_table()
    for variants in table.diagnoses.values():
        assert all(codeset.is_valid(v.code, "icd10cm") for v in variants)
    assert all(codeset.is_valid(p.code, "cpt") for p in table.procedures.values())
    assert all(codeset.is_valid(d.code, "hcpcs") for d in table.drugs.values())
    assert len(table.procedures) >= 60 and len(table.drugs) >= 40


def test_concepts_whose_code_is_missing_are_skipped():
    table = build_concept_table(lambda code, system: system == "icd10cm" and not code.startswith("E11"))
    assert table.procedures == {} and table.drugs == {}
    assert "t2dm" not in table.diagnoses and "htn" in table.diagnoses
    assert any(item.startswith("t2dm:") for item in table.skipped)


def test_laterality_and_seventh_character_expansion():
    dx = Diagnosis("x", "S52.50{lat}{enc}", "injury", ("{side} distal radius fracture",), encounters="AD")
    variants = {(v.code, v.phrases[0]) for v in expand_diagnosis(dx)}
    assert ("S52.501A", "right distal radius fracture") in variants
    assert ("S52.502D", "left distal radius fracture") in variants
    assert len(variants) == 4
