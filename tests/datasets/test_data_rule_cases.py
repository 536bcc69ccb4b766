"""Rule training cases: each family is usable, reasoning cites the rule, DPO rejects the careless answer."""

from __future__ import annotations

import random

from core.codes import get_codeset
from core.datasets import load_cases
from core.datasets.candidates import NoCandidates
from core.datasets.mistakes import make_mistakes
from core.datasets.reasoning import case_reasoning
from core.datasets.rule_cases import generate_rule_cases
from core.datasets.rule_templates import FAMILIES
from core.datasets.stages import stage_2_record, stage_3_records


def test_rule_cases_are_deterministic_valid_and_cite_their_rules():
    codeset = get_codeset()
    cases = list(generate_rule_cases(3 * len(FAMILIES), seed=3))
    assert len(cases) == 3 * len(FAMILIES)
    assert [c.narrative for c in cases] == [c.narrative for c in generate_rule_cases(3 * len(FAMILIES), seed=3)]
    for case in cases:
        assert all(codeset.is_valid(code, system) for system, codes in case.codes.items() for code in codes)
        assert case.rule_notes and case.meta["rules"]
        assert all(f"Rule: {note}." in case_reasoning(case) for note in case.rule_notes)
    rules = {rule for case in cases for rule in case.meta["rules"]}
    assert {"integral_symptom", "external_cause", "laterality", "seventh_character", "em_level",
            "drug_administration", "vaccine_administration", "combination_code", "use_additional_code",
            "diabetes_type"} <= rules


def test_integral_symptom_reasoning_reads_like_a_coder():
    case = next(c for c in generate_rule_cases(len(FAMILIES), seed=0) if "integral_symptom" in c.meta["rules"])
    assert "is integral to" in case_reasoning(case) and ": not coded" in case_reasoning(case)


def test_stage_records_and_rule_violation_pairs():
    case = next(iter(generate_rule_cases(1, seed=5)))
    record = stage_2_record(case, NoCandidates())
    assert "Rule:" in record["messages"][-1]["content"]
    errors = make_mistakes(case, random.Random(0), get_codeset(), n=2)
    assert errors[0].kind == "rule_violation" and errors[0].codes == {
        s: case.meta["careless_codes"].get(s, []) for s in ("icd10cm", "cpt", "hcpcs")}
    pairs = stage_3_records(case, random.Random(0), get_codeset(), NoCandidates())
    assert pairs and "Rule:" in pairs[0]["chosen"][0]["content"] and "Rule:" not in pairs[0]["rejected"][0]["content"]


def test_load_cases_spec():
    cases = load_cases("rules:4:2")
    assert len(cases) == 4 and cases[0]["meta"]["rules"]
