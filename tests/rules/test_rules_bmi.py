"""body_mass_index: a weight condition gets the BMI code the note states; the obesity class picks its code."""

from __future__ import annotations

from core.rules import RULES, bmi

RULE = (bmi.RULE,)


def _icd(run, note, codes):
    return run(note, icd=codes, rules=RULE).codes["icd10cm"]


def test_the_bmi_code_of_the_value_or_percentile_stated():
    assert [bmi.adult_bmi_code(v) for v in (18.5, 20.0, 29.9, 34.2, 36.4, 40.0, 45.0, 52.0, 65.0, 75.0)] == [
        "Z68.1", "Z68.20", "Z68.29", "Z68.34", "Z68.36", "Z68.41", "Z68.42", "Z68.43", "Z68.44", "Z68.45"]
    assert [bmi.pediatric_bmi_code(p) for p in (3, 50, 91, 97)] == ["Z68.51", "Z68.52", "Z68.53", "Z68.54"]
    assert bmi.documented_bmi_code("58 yo F. Wt 206 lb, BMI 34.2.") == "Z68.34"
    assert bmi.documented_bmi_code("8 yo well child. BMI 18.6 = 91st %ile.") == "Z68.53"
    assert bmi.documented_bmi_code("8 yo well child. BMI 18.6.") is None  # a child's BMI is by percentile
    assert bmi.documented_bmi_code("64 yo M, BMI of 31.2, waist 40 in.") == "Z68.31"


def test_obesity_gets_its_class_and_bmi(run):
    note = "58 yo F, est pt. Wt 206 lb, BMI 34.2.\nA/P: Class 1 obesity, BMI 34.2 - nutrition plan."
    out = run(note, icd=["I10", "E66.9"], rules=RULE)
    assert out.codes["icd10cm"] == ["I10", "E66.811", "Z68.34"]
    assert "E66.811 says 'use additional code' for the BMI" in out.edits[-1].reason
    assert _icd(run, "47 yo M. BMI 36.4. A/P: Obesity class 2.", ["E66.811"]) == ["E66.812", "Z68.36"]
    assert _icd(run, "A/P: overweight (BMI 91st %ile). 8 yo well child.", ["E66.3"]) == ["E66.3", "Z68.53"]
    assert "body_mass_index" in [rule.name for rule in RULES]


def test_a_bmi_alone_or_no_value_adds_nothing(run):
    assert _icd(run, "Est pt, 45 yo. BMI 27.1. A/P: HTN - continue lisinopril.", ["I10", "Z68.27"]) == ["I10"]
    assert _icd(run, "Est pt, 45 yo. A/P: obesity - diet.", ["E66.9"]) == ["E66.9"]
    assert _icd(run, "Est pt, 45 yo. BMI 33. A/P: obesity - diet.", ["E66.9", "Z68.33"]) == ["E66.9", "Z68.33"]
