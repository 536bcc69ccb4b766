"""not_addressed: in a visit note with an assessment, a condition named only in the history sections, or a symptom
the assessment does not name beside a diagnosis it does, is not coded."""

from __future__ import annotations

from core.rules import RULES, addressed
from core.rules.narrative import note_sections

RULE = (addressed.RULE,)
SINUS_VISIT = """CC: sinus congestion x12 days.
HPI: 50 yo M, est pt, with nasal congestion and cough, worse the last 3 days.
PMH: DM2 (on metformin), HTN (lisinopril), GERD. NKDA.
Exam: purulent drainage, maxillary tenderness.
A/P: Acute maxillary sinusitis. Amoxicillin-clavulanate 875 mg BID x7d."""


def test_note_sections():
    kinds = [kind for kind, _, _ in note_sections(SINUS_VISIT)]
    assert kinds == ["other", "other", "history", "other", "assessment"]
    assert note_sections("Cough for a week.") == [("other", 0, len("Cough for a week."))]


def test_history_only_conditions_and_unassessed_symptoms_are_dropped(run):
    out = run(SINUS_VISIT, icd=["J01.00", "E11.9", "I10", "K21.9", "R05.9"], rules=RULE)
    assert out.codes["icd10cm"] == ["J01.00"]
    reasons = {e.code: e.reason for e in out.edits}
    assert "named only in the history sections" in reasons["E11.9"] and "IV.J" in out.edits[0].guideline
    assert "the assessment names J01.00" in reasons["R05.9"]


def test_what_the_assessment_or_plan_names_stays(run):
    note = SINUS_VISIT + "\n2. HTN - at goal, continue lisinopril.\nPlan: recheck DM2 next month."
    out = run(note, icd=["J01.00", "E11.9", "I10"], rules=RULE)
    assert out.edits == []
    # a symptom the assessment names stays (no diagnosis explains it)
    note = "HPI: chest pain. PMH: HTN.\nA/P: 1. Chest pain, atypical. 2. HTN, stable."
    assert run(note, icd=["R07.9", "I10"], rules=RULE).edits == []
    # with no coded diagnosis in the assessment, a symptom is the reason for the visit
    note = "HPI: cough x5 days.\nA/P: cough, likely viral."
    assert run(note, icd=["R05.9"], rules=RULE).edits == []
    # a history code (old MI) belongs in the history section
    assert run("PMH: HTN, h/o MI in 2019.\nA/P: HTN, controlled.", icd=["I10", "I25.2"], rules=RULE).edits == []


def test_notes_without_an_assessment_or_not_visit_notes_are_left_alone(run):
    note = "PMH: DM2, HTN. Here with a cough for a week. Lungs clear."
    assert run(note, icd=["E11.9", "R05.9"], rules=RULE).edits == []
    report = ("A 64-year-old man with a history of type 2 diabetes was admitted to the hospital for fever. " * 10
              + "Diagnosis: pneumonia.")
    assert run(report, icd=["E11.9", "J18.9"], rules=RULE).edits == []
    assert "not_addressed" in [rule.name for rule in RULES]


def test_a_long_term_drug_of_an_unaddressed_condition_goes_with_it(run):
    note = "HPI: cough for five days.\nPMH: atrial fibrillation on apixaban, HTN.\nAssessment: acute bronchitis."
    assert run(note, icd=["J20.9", "Z79.01"], rules=RULE).codes["icd10cm"] == ["J20.9"]
    note = "HPI: cough. PMH: DM2 on metformin.\nA/P: acute bronchitis. 2. DM2 - stable, continue metformin."
    assert run(note, icd=["J20.9", "E11.9", "Z79.84"], rules=RULE).edits == []


def test_a_condition_named_in_other_words_only_in_the_history_goes_too(run):
    note = "HPI: sore throat x2 days.\nPMH: seasonal allergies, asthma.\nA/P: strep pharyngitis, rapid strep positive."
    out = run(note, icd=["J02.0", "J30.9"], rules=RULE)
    assert out.codes["icd10cm"] == ["J02.0"]


def test_a_condition_put_off_to_another_visit_was_not_addressed(run):
    from core.rules import addressed

    note = ("HPI: 50 yo M, est pt, sinus pressure x12 days.\nPMH: DM2, HTN (lisinopril).\n"
            "A/P: Acute maxillary sinusitis - amoxicillin-clavulanate.\n"
            "Chronic issues not addressed today; DM/HTN visit already scheduled next month.")
    assert run(note, icd=["J01.00", "I10"], rules=(addressed.RULE,)).codes["icd10cm"] == ["J01.00"]
