import re

import pytest

from core.datasets.synthetic import generate_cases
from core.prompts import SYSTEMS


@pytest.fixture(scope="module")
def cases():
    return list(generate_cases(400, seed=7))


def test_same_seed_same_cases_and_other_seed_differs():
    first = [c.narrative for c in generate_cases(30, seed=3)]
    assert first == [c.narrative for c in generate_cases(30, seed=3)]
    assert first != [c.narrative for c in generate_cases(30, seed=4)]


def test_narratives_are_distinct(cases):
    assert len({c.narrative for c in cases}) == len(cases)


def test_every_gold_code_is_valid_and_every_case_has_a_diagnosis(cases, codeset):
    for case in cases:
        assert case.codes["icd10cm"], case.narrative
        for system in SYSTEMS:
            for code in case.codes[system]:
                assert codeset.is_valid(code, system), (case.id, code)


def test_evidence_quotes_and_exclusions_come_from_the_narrative(cases):
    for case in cases:
        text = case.narrative.lower()
        assert all(e.quote.lower() in text for e in case.evidence), case.id
        assert all(x.quote.lower() in text for x in case.exclusions), case.id
        for exclusion in case.exclusions:
            assert exclusion.code not in case.codes["icd10cm"] or exclusion.reason == "family"


def test_settings_and_distractors_are_all_present(cases):
    settings = {c.meta["setting"] for c in cases}
    assert settings == {"office", "ed", "procedure"}
    reasons = {x.reason for c in cases for x in c.exclusions}
    assert reasons == {"negated", "family", "past", "rule_out", "facility"}


def test_rule_out_codes_the_symptoms_not_the_suspected_diagnosis(cases):
    ruled = [c for c in cases for x in c.exclusions if x.reason == "rule_out"]
    assert ruled
    for case in ruled:
        suspected = next(x.code for x in case.exclusions if x.reason == "rule_out")
        assert suspected not in case.codes["icd10cm"]
        assert any(code.startswith("R") for code in case.codes["icd10cm"])


def test_drug_units_follow_the_hcpcs_billing_unit(cases):
    drugs = [(c, e) for c in cases for e in c.evidence if e.system == "hcpcs" and e.why.startswith("x")]
    assert drugs
    for case, evidence in drugs:
        units = int(re.match(r"x(\d+)", evidence.why).group(1))
        assert case.meta["units"][evidence.code] == units


def test_office_and_ed_visits_carry_one_em_code(cases):
    for case in cases:
        em = [c for c in case.codes["cpt"] if c.startswith("992")]
        if case.meta["setting"] == "procedure":
            assert em == []
        else:
            assert em == [case.meta["em"]["code"]]
            assert case.codes["cpt"][0] == case.meta["em"]["code"]


def test_units_are_dose_over_billing_unit_rounded_up():
    from core.datasets.concepts import DRUGS
    from core.datasets.synthetic_plan import DrugGiven

    drugs = {d.key: d for d in DRUGS}
    assert DrugGiven(drugs["ondansetron"], 4, "IV").units == 4
    assert DrugGiven(drugs["ketorolac"], 30, "IM").units == 2
    assert DrugGiven(drugs["ceftriaxone"], 1000, "IM").units == 4
    assert DrugGiven(drugs["diphenhydramine"], 25, "IV").units == 1
    assert DrugGiven(drugs["epinephrine"], 0.3, "IM").units == 3


def test_ed_cases_bill_the_physicians_work_only(cases):
    """On the ED's note the hospital bills its lab tests, drugs and the ECG tracing (core.rules.facility, the drug
    rule): the gold answer has no lab or drug code and bills an ECG as its interpretation, 93010; office notes
    bill them."""
    ed = [c for c in cases if c.meta["setting"] == "ed"]
    office = [c for c in cases if c.meta["setting"] == "office"]
    is_lab = lambda code: code.isdigit() and "80047" <= code <= "89398" or code == "36415"  # noqa: E731
    assert ed and not any(is_lab(code) or code == "93000" for c in ed for code in c.codes["cpt"])
    facility = [x for c in ed for x in c.exclusions if x.reason == "facility"]
    assert any(is_lab(x.code) for x in facility) and any(x.code.startswith("J") for x in facility)
    assert all(is_lab(x.code) or x.code.startswith("J") for x in facility)
    # the ED's drugs and their administration are the hospital's too
    assert not any(code.startswith("J") for c in ed for code in c.codes["hcpcs"])
    assert not any(code in ("96372", "96374", "96375", "96360") for c in ed for code in c.codes["cpt"])
    assert any(c.codes["cpt"].count("93010") for c in ed)
    assert any(is_lab(code) for c in office for code in c.codes["cpt"])
