"""core.review_codes: the model's codes as keep/drop rows with evidence spans, codes added by search, the
verdict they amount to, and the highlighted narrative."""

from __future__ import annotations

from core import review_codes as rc

NARRATIVE = "Type 2 diabetes with hyperglycemia, glucose 320. Mixed hyperlipidemia on statin. Office visit."
CODES = {"icd10cm": ["E11.65"], "cpt": ["99213"], "hcpcs": []}
REASONING = '"Type 2 diabetes with hyperglycemia" -> E11.65'


def test_rows_carry_description_and_the_evidence_span_the_reasoning_quotes():
    rows = rc.code_rows_for(NARRATIVE, CODES, REASONING)
    assert [(r["system"], r["code"], r["keep"], r["origin"]) for r in rows] == [
        ("icd10cm", "E11.65", True, "model"), ("cpt", "99213", True, "model")]
    first = rows[0]
    assert first["description"].startswith("Type 2 diabetes mellitus with hyperglycemia")
    assert NARRATIVE[first["span"][0]:first["span"][1]] == first["evidence"] == "Type 2 diabetes with hyperglycemia"


def test_toggle_add_and_verdict():
    rows = rc.code_rows_for(NARRATIVE, CODES, REASONING)
    assert rc.verdict(rows, CODES) == ("accept", CODES)
    rows = rc.toggle(rows, 1)
    rows, added = rc.add_code(rows, NARRATIVE, "e785")
    assert (added.outcome, added.code) == ("added", "E78.5") and added.changed
    assert rows[-1]["origin"] == "added" and rows[-1]["evidence"]  # found by word overlap
    decision, codes = rc.verdict(rows, CODES)
    assert decision == "correct" and codes == {"icd10cm": ["E11.65", "E78.5"], "cpt": [], "hcpcs": []}
    again, added = rc.add_code(rc.toggle(rows, 1), NARRATIVE, "99213")
    assert (added.outcome, added.code) == ("kept", "99213") and len(again) == len(rows) and again[1]["keep"]
    assert rc.toggle(rows, 9) == rows


def test_find_code_prefers_a_typed_code_then_the_best_billable_hit():
    assert rc.find_code("99213")[:2] == ("cpt", "99213")
    system, code, _ = rc.find_code("mixed hyperlipidemia")
    assert system == "icd10cm" and code.startswith("E78.")
    assert rc.find_code("   ") is None
    assert all(row[3] is True for row in rc.search_rows("mixed hyperlipidemia")[:1])


def test_a_mistyped_code_adds_nothing_and_says_so():
    """Regression: a code-shaped word that is no code fell through to word search and added an unrelated code
    (Z99.999 -> P05.13 newborn weight, I10.1 -> D46.21, A00.00 -> V2100 spectacle lens)."""
    from webapp.review_views import added_text

    rows = rc.code_rows_for(NARRATIVE, CODES, REASONING)
    for typed, near in (("Z99.999", "Z99.0"), ("I10.1", "I10"), ("A00.00", "A00.0"), ("Z99.99", "Z99.0")):
        assert rc.find_code(typed) is None
        same, added = rc.add_code(rows, NARRATIVE, typed)
        assert same == rows and added.outcome == "unknown" and near in added.billable
        assert added_text(added).startswith(f"{typed!r} is not a valid code: nothing added; did you mean")
    assert rc.why_not("E11").outcome == "not_billable"  # a header code still lists the codes under it
    # the clickable matches of a mistyped code are its near misses, not word hits ("999" -> 750-999 grams)
    assert [row[1] for row in rc.search_rows("Z99.999")] == list(rc.why_not("Z99.999").billable)
    assert rc.find_code("j3420")[:2] == ("hcpcs", "J3420") and rc.find_code("e119")[1] == "E11.9"


def test_a_draft_restores_dropped_and_added_codes():
    rows = rc.code_rows_for(NARRATIVE, CODES, REASONING, kept={"icd10cm": ["E11.65", "E78.5"], "cpt": []})
    assert [(r["code"], r["keep"], r["origin"]) for r in rows] == [
        ("E11.65", True, "model"), ("99213", False, "model"), ("E78.5", True, "added")]


def test_highlight_marks_kept_spans_and_the_selected_one():
    rows = rc.code_rows_for(NARRATIVE, CODES, REASONING)
    pieces = rc.highlight(NARRATIVE, rows, selected=0)
    assert "".join(text for text, _ in pieces) == NARRATIVE
    assert ("Type 2 diabetes with hyperglycemia", "▶ E11.65") in pieces
    dropped = rc.toggle(rows, 0)
    assert all(label != "E11.65" for _, label in rc.highlight(NARRATIVE, dropped, selected=None))


LEFT = "Ankle sprain, left ankle, after a fall. Cough with acute bronchitis."
EDITS = [{"action": "replace", "system": "icd10cm", "code": "S93.409A", "replacement": "S93.402A",
          "rule": "laterality", "guideline": "I.B.13", "reason": "the note documents the left side"},
         {"action": "drop", "system": "icd10cm", "code": "R05.9", "rule": "integral_symptom", "guideline": "I.B.5",
          "reason": "cough is integral to acute bronchitis"},
         {"action": "add", "system": "icd10cm", "code": "W19.XXXA", "rule": "external_cause", "guideline": "I.C.20",
          "reason": "an injury from a fall"}]
AFTER = {"icd10cm": ["S93.402A", "J20.9", "W19.XXXA"], "cpt": [], "hcpcs": []}


def test_rule_edits_sit_on_their_rows_and_rule_dropped_codes_start_dropped():
    rows = rc.code_rows_for(LEFT, AFTER, "", rule_edits=EDITS)
    assert [(r["code"], r["keep"], r["origin"]) for r in rows] == [
        ("S93.402A", True, "model"), ("J20.9", True, "model"), ("W19.XXXA", True, "model"),
        ("S93.409A", False, "rule_dropped"), ("R05.9", False, "rule_dropped")]
    assert [[e["rule"] for e in r["rule_edits"]] for r in rows] == [
        ["laterality"], [], ["external_cause"], ["laterality"], ["integral_symptom"]]
    assert rc.verdict(rows, AFTER) == ("accept", AFTER)  # confirming the rules' drops is accepting the answer
    restored = rc.toggle(rows, 4)
    assert rc.verdict(restored, AFTER) == ("correct", {"icd10cm": ["S93.402A", "J20.9", "W19.XXXA", "R05.9"],
                                                       "cpt": [], "hcpcs": []})
    again, added = rc.add_code(rows, LEFT, "R05.9")  # typing a rule-dropped code restores its row
    assert (added.outcome, added.code) == ("kept", "R05.9") and len(again) == len(rows) and again[4]["keep"]


def test_a_draft_restores_a_rule_dropped_code_on_its_own_row():
    kept = {"icd10cm": ["S93.402A", "J20.9", "R05.9"], "cpt": ["99213"]}
    rows = rc.code_rows_for(LEFT, AFTER, "", kept=kept, rule_edits=EDITS)
    assert [(r["code"], r["keep"], r["origin"]) for r in rows] == [
        ("S93.402A", True, "model"), ("J20.9", True, "model"), ("W19.XXXA", False, "model"),
        ("S93.409A", False, "rule_dropped"), ("R05.9", True, "rule_dropped"), ("99213", True, "added")]
    assert rc.rule_dropped(AFTER, None) == []
    chained = [*EDITS, {"action": "drop", "system": "icd10cm", "code": "W19.XXXA", "rule": "x", "guideline": "",
                        "reason": ""}]
    assert rc.rule_dropped({"icd10cm": ["S93.402A"]}, chained) == [
        ("icd10cm", "S93.409A"), ("icd10cm", "R05.9"), ("icd10cm", "W19.XXXA")]


def test_adding_nothing_says_why_as_data():
    rows = rc.code_rows_for(NARRATIVE, CODES, REASONING)
    same, added = rc.add_code(rows, NARRATIVE, "E11")
    assert same == rows and added.outcome == "not_billable" and added.code == "E11" and not added.changed
    assert added.billable and all(code.startswith("E11.") for code in added.billable)
    assert rc.add_code(rows, NARRATIVE, "zzzzqqq")[1] == rc.Added("no_match", "zzzzqqq")
