"""with_without: a condition's 'without X' code coded beside its 'with X' code is dropped."""

from __future__ import annotations

from core.rules import with_without

RULES = (with_without.RULE,)


def test_pairs_are_read_from_the_descriptions(codeset):
    assert with_without.contradicts(codeset, "N40.0", "N40.1")  # BPH without / with LUTS
    assert with_without.contradicts(codeset, "I85.00", "I85.01")  # esophageal varices without / with bleeding
    assert not with_without.contradicts(codeset, "N40.1", "N40.0")  # the 'with' code is never the one dropped
    assert not with_without.contradicts(codeset, "E11.9", "E11.65")  # not the same text with 'with'
    assert not with_without.contradicts(codeset, "N40.0", "N40.3")
    assert not with_without.contradicts(codeset, "N40.0", "N40.0")


def test_the_without_code_is_dropped_beside_its_with_code(run):
    note = "68-year-old man, weak stream and nocturia, enlarged prostate. Assessment: BPH with LUTS."
    out = run(note, icd=["N40.0", "N40.1"], rules=RULES)
    assert out.codes["icd10cm"] == ["N40.1"]
    (edit,) = out.edits
    assert (edit.action, edit.code, edit.rule) == ("drop", "N40.0", "with_without") and "contradicts N40.1" in edit.reason


def test_either_code_alone_and_several_encounters_are_left_alone(run):
    assert run("Benign prostatic hyperplasia, no urinary symptoms.", icd=["N40.0"], rules=RULES).edits == []
    assert run("BPH with LUTS.", icd=["N40.1"], rules=RULES).edits == []
    history = ("Esophageal varices without bleeding on the first endoscopy. Two years later he was readmitted "
               "with variceal bleeding.")
    out = run(history, icd=["I85.00", "I85.01"], rules=RULES)  # a case history: each code another episode
    assert out.codes["icd10cm"] == ["I85.00", "I85.01"] and "with_without" in out.skipped
