"""sex_conflict: a code for one sex only, coded for a patient the note documents as the other, is dropped."""

from __future__ import annotations

import pytest

from core.rules import sex

RULES = (sex.RULE,)


@pytest.mark.parametrize(("text", "expected"), [
    ("A 58-year-old man with benign prostatic hyperplasia.", "male"),
    ("45 yo F with dysuria and frequency.", "female"),
    ("62M with chest pain since this morning.", "male"),
    ("Sex: female. Age: 40.", "female"),
    ("A 34-year-old female patient presented with pelvic pain.", "female"),
    ("G2P1 at 32 weeks with headache.", "female"),
    ("A 72-year-old diabetic gentleman.", "male"),
    ("The patient, a 65 years old male, was admitted.", "male"),
])
def test_the_patients_sex_as_notes_introduce_it(text, expected):
    assert sex.documented_sex(text)[0] == expected


@pytest.mark.parametrize("text", [
    "58-year-old with type 2 diabetes.",  # not said
    "A 30-year-old woman brought her 2-year-old boy.",  # two patients named: which one is coded?
    "40-year-old transgender woman on estradiol.",  # gender identity: the edit misfires, left alone
    "A 45-year-old with a male partner.",  # the partner, not the patient
    "Walked 12 m without pain. 3 m of gauze.",  # metres, not a sex
    "45 yo f with cough.",  # a lower-case letter is no sex
])
def test_no_sex_is_read_where_the_note_does_not_say_it_of_the_patient(text):
    assert sex.documented_sex(text) is None


def test_a_code_for_the_other_sex_is_dropped_with_the_words_that_say_so(run):
    out = run("53-year-old woman with burning on urination. Urinalysis positive.", icd=["N39.0", "N40.1"],
              rules=RULES)
    assert out.codes["icd10cm"] == ["N39.0"]
    (edit,) = out.edits
    assert (edit.action, edit.code, edit.rule) == ("drop", "N40.1", "sex_conflict")
    assert "for male patients" in edit.reason and "'53-year-old woman'" in edit.reason
    out = run("A 21-year-old man with low back pain.", icd=["M54.50", "N76.0", "O26.891"], rules=RULES)
    assert out.codes["icd10cm"] == ["M54.50"] and {e.code for e in out.edits} == {"N76.0", "O26.891"}


def test_codes_for_the_documented_sex_and_for_either_sex_stay(run):
    assert run("A 68-year-old man with BPH and LUTS. PSA elevated.", icd=["N40.1", "R97.20"],
               rules=RULES).codes["icd10cm"] == ["N40.1", "R97.20"]
    assert run("28-year-old woman, G1P0 at 12 weeks, with nausea.", icd=["O21.0", "Z3A.12"],
               rules=RULES).codes["icd10cm"] == ["O21.0", "Z3A.12"]
    # breast cancer, osteoporosis, UTI: either sex
    assert run("A 70-year-old man with breast cancer.", icd=["C50.921", "N39.0"], rules=RULES).edits == []
    # no sex documented: nothing is dropped
    assert run("Patient with benign prostatic hyperplasia.", icd=["N40.0"], rules=RULES).edits == []


def test_the_code_lists_hold_codes_of_the_code_set(codeset):
    """Every prefix names codes that exist (a typo would silently edit nothing)."""
    icd = codeset.tables["icd10cm"]
    for prefix in (*sex.MALE_ONLY, *sex.FEMALE_ONLY):
        assert any(code.startswith(prefix) for code in icd), prefix
