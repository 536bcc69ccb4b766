"""How the web app words the coding rules' edits (core gives them as data)."""

from __future__ import annotations

from webapp.rule_edits import added_by_rules, change_text, edit_table, edits_note, row_note

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


def test_a_row_says_what_the_rules_did_to_its_code_and_why():
    assert row_note("S93.402A", [REPLACE]) == ("replaced S93.409A → S93.402A by laterality because the note documents "
                                               "the left side")
    assert row_note("90471", [ADD, {**ADD, "action": "drop", "reason": ""}]) == (
        "added by vaccine_administration because a vaccine was given; dropped by vaccine_administration")
    assert row_note("E11.9", None) == ""
    assert added_by_rules("S93.402A", [REPLACE]) and added_by_rules("90471", [ADD])
    assert not added_by_rules("S93.409A", [REPLACE])
