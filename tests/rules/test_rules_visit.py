"""reason_for_visit (Guidelines IV.D, IV.G): an answer with no diagnosis gets the documented sign or symptom."""

from __future__ import annotations

from core.rules import RULES, apply_rules, visit
from core.rules.visit import affirmed_clause_keys, stated

ED_SYNCOPE = "46-year-old man evaluated in the ED for syncope; ECG unremarkable. Medical decision making was low."
RANKED = {"icd10cm": ["I95.9", "R55", "R42", "R07.9"], "cpt": ["99283"]}


def test_no_diagnosis_gets_the_best_ranked_stated_symptom(run):
    out = run(ED_SYNCOPE, cpt=["99283"], rules=(visit.RULE,), candidates=RANKED)
    assert out.codes["icd10cm"] == ["R55"] and out.codes["cpt"] == ["99283"]
    edit = out.edits[0]
    assert (edit.action, edit.rule) == ("add", "reason_for_visit") and "IV.D" in edit.guideline
    assert "syncope and collapse" in edit.reason
    # 'cause not determined' negates its own clause only, not the complaint before it
    note = "Evaluated in the ED for chest pain, cause not determined; troponin and ECG normal."
    out = run(note, rules=(visit.RULE,), candidates={"icd10cm": ["R10.9", "R07.9", "R07.89"]})
    assert out.codes["icd10cm"] == ["R07.9"]


def test_the_rule_abstains_when_it_should(run):
    # a diagnosis already coded; no candidates (no ranking to choose from); no symptom candidate in the top
    assert run(ED_SYNCOPE, icd=["I95.1"], rules=(visit.RULE,), candidates=RANKED).edits == []
    assert run(ED_SYNCOPE, rules=(visit.RULE,)).edits == []
    assert run(ED_SYNCOPE, rules=(visit.RULE,), candidates={"icd10cm": ["I95.9", "I10"]}).edits == []
    # the symptom is denied, or a relative's, or not in the note at all
    for note in ("Seen in the ED. No syncope. Palpitations resolved.", "Mother had syncope. Seen for a checkup.",
                 "Seen in the ED for a rash on the arm."):
        assert run(note, rules=(visit.RULE,), candidates=RANKED).edits == [], note
    # the note states a diagnosis the answer missed: that diagnosis is needed, not a symptom of it
    note = "Fell on the hand. Tenderness and pain of the finger. Diagnosis: proximal phalanx fracture."
    assert run(note, rules=(visit.RULE,), candidates={"icd10cm": ["R52", "M79.641"]}).edits == []
    # an age is no finding: '38-year-old' does not state 'Old age' (R54)
    note = "38-year-old man with limited mouth opening since 18 years of age."
    assert run(note, rules=(visit.RULE,), candidates={"icd10cm": ["R54"]}).edits == []


def test_a_phrase_is_stated_in_full(codeset):
    keys = affirmed_clause_keys("Seen for abdominal pain.")
    assert stated(codeset, "R10.9", keys) and not stated(codeset, "R07.9", keys)
    assert stated(codeset, "R55", affirmed_clause_keys("Fainting at church."))  # an inclusion term
    assert not stated(codeset, "R54", affirmed_clause_keys("A 70-year-old woman, 70 years of age."))


def test_the_rule_runs_by_default_and_keeps_a_valid_answer_valid(codeset):
    assert "reason_for_visit" in [rule.name for rule in RULES]
    out = apply_rules({"icd10cm": [], "cpt": ["99283"], "hcpcs": []}, ED_SYNCOPE, codeset, candidates=RANKED)
    assert out.codes["icd10cm"] == ["R55"] and all(codeset.is_valid(c) for c in out.codes["icd10cm"])
    # and the gold answer is a fixed point
    assert apply_rules(out.codes, ED_SYNCOPE, codeset, candidates=RANKED).edits == []


def test_a_stated_diagnosis_ranked_above_the_symptoms_is_what_the_answer_lacks(run):
    """An empty answer (a model that failed, a retriever below its thresholds) for a note that states its
    diagnosis is not an undiagnosed complaint: no symptom stands in for the diagnosis."""
    note = "58-year-old with type 2 diabetes and hyperglycemia on metformin, HbA1c 9.1%"
    ranked = {"icd10cm": ["E11.65", "R73.9", "Z79.84"]}
    assert run(note, rules=(visit.RULE,), candidates=ranked).edits == []
    # a diagnosis candidate the note does not state does not stop it
    assert run(ED_SYNCOPE, rules=(visit.RULE,), candidates={"icd10cm": ["I95.1", "R55"]}).codes["icd10cm"] == ["R55"]
