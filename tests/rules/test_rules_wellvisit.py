"""preventive_visit: a well visit gets the preventive code of the patient's age band and status, and its Z00 code."""

from __future__ import annotations

from core.rules import RULES, wellvisit

RULE = (wellvisit.RULE,)


def test_the_age_band_status_and_z_code(run):
    out = run("Annual physical. 45 yo F, est pt. Exam normal, no abnormal bleeding.", rules=RULE)
    assert out.codes["cpt"] == ["99396"] and out.codes["icd10cm"] == ["Z00.00"]
    out = run("Well child check. 4 yo M, est pt. Growth on track.", rules=RULE)
    assert out.codes["cpt"] == ["99392"] and out.codes["icd10cm"] == ["Z00.129"]
    out = run("Annual physical. 32-year-old man, new patient establishing care. BP elevated at 150/95.", rules=RULE)
    assert out.codes["cpt"] == ["99385"] and out.codes["icd10cm"] == ["Z00.01"]
    # a coded band of the wrong age is replaced; a problem E/M with no problem or MDM goes
    out = run("Annual physical. 70 yo F, est pt. Exam normal.", icd=["Z00.00"], cpt=["99396", "99214"], rules=RULE)
    assert out.codes["cpt"] == ["99397"]


def test_not_a_medicare_wellness_visit_a_sports_physical_or_an_unknown_age(run):
    assert run("Medicare annual wellness visit. 70 yo F.", rules=RULE).edits == []
    assert run("Sports physical. 15 yo M, est pt.", rules=RULE).edits == []
    assert run("Annual physical. Est pt. Exam normal.", rules=RULE).edits == []
    assert "preventive_visit" in [rule.name for rule in RULES]
