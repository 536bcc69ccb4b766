"""How the web app words the coding rules' edits (core gives them as data)."""

from __future__ import annotations

from webapp.rule_edits import change_text, edit_table, edits_note

REPLACE = {"action": "replace", "system": "icd10cm", "code": "S93.409A", "replacement": "S93.402A",
           "rule": "laterality", "guideline": "I.B.13", "reason": "the note documents the left side"}
ADD = {"action": "add", "system": "cpt", "code": "90471", "rule": "vaccine_administration", "guideline": "CPT",
       "reason": "a vaccine was given"}


def test_each_kind_of_change_is_worded():
    assert change_text(REPLACE) == "S93.409A → S93.402A (icd10cm)"
    assert change_text(ADD) == "added 90471 (cpt)"
    assert change_text({**ADD, "action": "drop"}) == "dropped 90471 (cpt)"
    assert edit_table([REPLACE]) == [["laterality", "S93.409A → S93.402A (icd10cm)",
                                      "the note documents the left side", "I.B.13"]]
    assert edit_table(None) == []


def test_the_note_tells_off_from_no_edit_from_edits():
    assert edits_note({"rules_applied": False, "rule_edits": []}) == "Coding rules: off for this answer."
    assert edits_note({"rules_applied": True, "rule_edits": []}) == "Coding rules: checked, no edit needed."
    note = edits_note({"rules_applied": True, "rule_edits": [REPLACE, ADD]})
    assert note.startswith("**Coding rules edited the answer (2)**") and "by `vaccine_administration`" in note
    assert edits_note({}) == "Coding rules: off for this answer."  # a result from before the rules


def test_the_note_says_which_rules_abstained_on_a_case_history():
    note = edits_note({"rules_applied": True, "rule_edits": [], "rules_skipped": ["integral_symptom"]})
    assert note.startswith("Coding rules: checked, no edit needed.") and "several encounters" in note
    assert "integral_symptom" in note
