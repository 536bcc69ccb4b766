"""unsupported_diagnosis: a diagnosis whose condition or site the note never names is dropped."""

from __future__ import annotations

from core.rules import documentation


def test_a_diagnosis_the_note_never_names_is_dropped(run):
    out = run("Cough and chest congestion for a week. Assessment: acute bronchitis.", icd=["J20.9", "J03.90"],
              rules=(documentation.RULE,))
    assert out.codes["icd10cm"] == ["J20.9"] and "tonsillitis" in out.edits[0].reason
    # the condition is named but at another site: a contusion of the hand for a knee contusion
    out = run("Fell on ice. Diagnosis: contusion of the right knee.", icd=["S80.01XA", "S60.221A"],
              rules=(documentation.RULE,))
    assert out.codes["icd10cm"] == ["S80.01XA"]


def test_synonyms_abbreviations_and_inclusion_terms_support_a_code(run):
    for narrative, code in (("COPD; smokes a pack a day.", "F17.210"), ("Acute UTI.", "N39.0"),
                            ("Strep throat, rapid test positive.", "J02.0"), ("Flu A positive.", "J10.1"),
                            ("Carpal tunnel syndrome of the left wrist.", "G56.02"),
                            ("Mild ptosis of the right eye.", "H02.401"), ("HTN, stable.", "I10"),
                            ("Hives after eating shellfish.", "L50.0")):
        assert run(narrative, icd=[code], rules=(documentation.RULE,)).edits == [], (narrative, code)


def test_factors_external_causes_and_case_histories_are_left_alone(run):
    assert run("Here for a flu shot.", icd=["Z23"], rules=(documentation.RULE,)).edits == []
    assert run("Fracture of the wrist.", icd=["S52.501A", "W19.XXXA"], rules=(documentation.RULE,)).edits == []
    out = run("We present the case of a man with bronchitis. Two months later he was readmitted.",
              icd=["J03.90"], rules=(documentation.RULE,))
    assert out.edits == [] and out.skipped == ["unsupported_diagnosis"]
