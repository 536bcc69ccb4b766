import random

from core.datasets.cases import CodedCase, Evidence, Exclusion, codes_from_evidence
from core.datasets.mistakes import (
    em_level_error,
    excluded_finding_coded,
    invalid_code,
    missed_code,
    non_billable_header,
    wrong_specificity,
    wrong_units,
)


def _case():
    evidence = [Evidence("S52.502A", "icd10cm", "left distal radius fracture", "laterality documented"),
                Evidence("99214", "cpt", "MDM: moderate", "established patient, moderate MDM"),
                Evidence("J2405", "hcpcs", "ondansetron 4 mg IV", "x4 units (1 mg per unit)")]
    meta = {"em": {"code": "99214", "patient": "established", "level": "moderate"}, "units": {"J2405": 4}}
    return CodedCase("c1", "note", codes_from_evidence(evidence), "synthetic", meta, evidence,
                     [Exclusion("denies chest pain", "negated", "R07.9")])


def test_each_error_kind_changes_the_answer_the_way_it_says(codeset):
    rng, case = random.Random(1), _case()
    assert missed_code(case, rng, codeset).codes["icd10cm"] in ([], ["S52.502A"])
    lateral = wrong_specificity(case, rng, codeset)
    assert lateral.codes["icd10cm"] == ["S52.501A"]  # the opposite side is the realistic slip
    header = non_billable_header(case, rng, codeset)
    assert header.codes["icd10cm"] == ["S52.502"] and not codeset.is_valid("S52.502")
    invented = invalid_code(case, rng, codeset)
    assert codeset.validate(invented.replacement).status == "unknown"
    negated = excluded_finding_coded(case, rng, codeset)
    assert "R07.9" in negated.codes["icd10cm"] and negated.kind == "negated_coded"
    em = em_level_error(case, rng, codeset)
    assert em.codes["cpt"][0] in ("99213", "99215") and em.kind in ("em_undercoded", "em_overcoded")
    units = wrong_units(case, rng, codeset)
    assert units.codes == case.codes and "x4 units" not in units.evidence[2].why


def test_rationale_edits_follow_the_error(codeset):
    case = _case()
    error = wrong_specificity(case, random.Random(1), codeset)
    text = '"left distal radius fracture" -> S52.502A.\n"MDM: moderate" -> 99214.'
    assert error.apply_to_rationale(text).startswith('"left distal radius fracture" -> S52.501A.')
    missed = missed_code(case, random.Random(3), codeset)
    edited = missed.apply_to_rationale(text)
    assert edited is None or missed.original not in edited
