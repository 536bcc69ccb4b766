"""redundant_unspecified: an unspecified code beside the specific code of its condition is not coded; and the
readings that feed the diagnosis rules (room air is no rheumatoid arthritis, a screening names no disease)."""

from __future__ import annotations

from core.rules import RULES, redundant, uncertain
from core.text import words

RULE = (redundant.RULE,)


def test_the_unspecified_code_goes_beside_the_specific_one(run):
    note = "Est pt. A/P: acute maxillary sinusitis. Pain in the right knee."
    assert run(note, icd=["J01.90", "J01.00"], rules=RULE).codes["icd10cm"] == ["J01.00"]
    assert run(note, icd=["M25.569", "M25.561"], rules=RULE).codes["icd10cm"] == ["M25.561"]
    note = "Chest pain, atypical. Laceration of the right hand."
    out = run(note, icd=["R07.9", "R07.89", "T14.8XXA", "S61.411A", "R52"], rules=RULE)
    assert out.codes["icd10cm"] == ["R07.89", "S61.411A"]
    assert "says the same and more" in out.edits[0].reason


def test_a_general_code_beside_the_code_that_includes_it(run):
    note = "Est pt. A/P: 1. HTN with CKD stage 3b - continue lisinopril. 2. Anemia of CKD. 3. DM2 with CKD."
    out = run(note, icd=["I10", "I12.9", "N18.32", "D64.9", "D63.1", "E11.9", "E11.22"], rules=RULE)
    assert out.codes["icd10cm"] == ["I12.9", "N18.32", "D63.1", "E11.22"]
    assert "includes it" in out.edits[0].reason
    assert run("Est pt. A/P: HTN - continue lisinopril. DM2 - A1c 6.8.", icd=["I10", "E11.9"], rules=RULE).edits == []
    assert run("ED Note. Periumbilical pain moved to the RLQ. Dx: RLQ pain.", icd=["R10.31", "R10.9"],
               rules=RULE).codes["icd10cm"] == ["R10.31"]
    # a description's "(congestive)" is no word the note must say
    note = "Est pt. A/P: chronic diastolic heart failure, compensated."
    assert run(note, icd=["I50.32", "I50.9"], rules=RULE).codes["icd10cm"] == ["I50.32"]


def test_the_catch_alls_go_beside_any_diagnosis(run):
    """Pain, unspecified (R52) and illness, unspecified (R69) are for what the record does not name."""
    note = "Est pt. S: fever, sore throat, body aches. A/P: infectious mononucleosis - supportive care."
    out = run(note, icd=["B27.90", "R52", "R69"], rules=RULE)
    assert out.codes["icd10cm"] == ["B27.90"] and "the visit codes a diagnosis (B27.90)" in out.edits[0].reason
    assert run("Est pt. Body aches and malaise. A/P: pain, unspecified.", icd=["R52"], rules=RULE).edits == []
    assert run(note, icd=["R52", "Z23"], rules=RULE).edits == []  # a Z code is no diagnosis


def test_a_specific_code_the_note_does_not_document_or_another_encounter_is_no_reason(run):
    note = "Est pt. A/P: hypothyroidism, stable on levothyroxine."
    assert run(note, icd=["E03.9", "E03.3"], rules=RULE).edits == []  # 'postinfectious' is not documented
    note = "Follow-up of a right ankle sprain."
    assert run(note, icd=["S93.409A", "S93.401S"], rules=RULE).edits == []  # another 7th character
    assert "redundant_unspecified" in [rule.name for rule in RULES]


def test_room_air_and_screening():
    assert "rheumatoid" not in words("SpO2 90% RA, 94% on RA after the neb.")
    assert "rheumatoid" in words("History of RA on methotrexate.")
    assert uncertain.uncertain_at("Lung cancer screening: LDCT ordered.", 0, len("Lung cancer"))
    assert uncertain.uncertain_at("Screening for colon cancer is due.", len("Screening for "), len("Screening for colon cancer"))
