"""denied_symptom: a sign or symptom (R00-R99) the note only denies is not coded."""

from __future__ import annotations

from core.rules import denied

RULES = (denied.RULE,)


def test_a_symptom_the_note_only_denies_is_dropped(run):
    out = run("Cough for a week. Denies chest pain. Assessment: acute bronchitis.", icd=["J20.9", "R07.9"],
              rules=RULES)
    assert out.codes["icd10cm"] == ["J20.9"]
    (edit,) = out.edits
    assert (edit.code, edit.rule) == ("R07.9", "denied_symptom") and "only denies chest pain" in edit.reason
    assert run("He did not report any episodes of hematuria.", icd=["R31.9"], rules=RULES).codes["icd10cm"] == []
    assert run("Headache. Patient denies nausea or vomiting.", icd=["R51.9", "R11.2"],
               rules=RULES).codes["icd10cm"] == ["R51.9"]


def test_a_symptom_mentioned_without_a_negation_stays(run):
    assert run("No fever, cough present for 3 days.", icd=["R05.9"], rules=RULES).edits == []  # the comma ends "no"
    assert run("Denies chest pain at rest; chest pain with exertion.", icd=["R07.9"], rules=RULES).edits == []
    assert run("No other complaints. Chest pain since this morning.", icd=["R07.9"], rules=RULES).edits == []
    # a cue far before the word does not deny it
    assert run("No history of heart disease was reported by the patient before the chest pain.", icd=["R07.9"],
               rules=RULES).edits == []
    # never mentioned: unsupported_diagnosis's to judge, not this rule's
    assert run("Cough for a week.", icd=["R07.9"], rules=RULES).edits == []


def test_only_signs_and_symptoms_and_one_encounter(run):
    # a denied diagnosis is left to the note's conventions (CodiEsp codes some); only R codes are dropped
    assert run("No pneumonia on the x-ray. Cough.", icd=["J18.9"], rules=RULES).edits == []
    history = "No fever at the first visit. Two months later he was readmitted with fever."
    out = run(history, icd=["R50.9"], rules=RULES)
    assert out.edits == [] and "denied_symptom" in out.skipped
