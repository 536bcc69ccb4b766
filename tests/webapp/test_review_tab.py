"""Review tab callbacks as plain functions (a fake coder instead of the model)."""

from __future__ import annotations

import json

import gradio as gr
import pytest

from core import review
from core.store import add_case
from tests.webapp.helpers import FAKE_REASONING, NARRATIVE, as_user
from webapp import review_tab

STATE, CASE, MODEL_REASONING, MODEL_CODES, CODES_TEXT, REASONING, NOTES, STATUS, PROGRESS, HISTORY, RULE_EDITS = range(11)


ALICE, BOB = as_user("alice"), as_user("bob")


def test_send_to_review_codes_on_the_server_and_confirms(store, fake_coder):
    assert review_tab.send_to_review(NARRATIVE, "", as_user(None)).startswith("✓ Queued for review as case **#1**")
    assert fake_coder.calls == 1  # the server coded it: the browser sent the narrative only
    assert "narrative is required" in review_tab.send_to_review("  ", "", as_user(None))


def test_load_next_shows_the_case_with_model_output_and_editable_copy(store, fake_coder, users):
    add_case(NARRATIVE, source="test")
    out = review_tab.load_next("", ALICE, None)
    assert out[STATE]["case_id"] == 1 and out[STATE]["started"] > 0
    assert NARRATIVE in out[CASE] and "fake-model" in out[CASE]
    assert out[MODEL_REASONING] == out[REASONING] == FAKE_REASONING
    assert [row[1] for row in out[MODEL_CODES]] == ["E11.65", "99214"]
    assert out[CODES_TEXT] == "E11.65\n99214"
    assert "Reviewed 0 / 1" in out[PROGRESS] and fake_coder.calls == 1
    # the coding rules' edits of the prediction are shown with their reasons
    assert out[RULE_EDITS] == [["integral_symptom", "dropped R73.9 (icd10cm)", "hyperglycemia is part of E11.65: not coded",
                                "ICD-10-CM Official Guidelines I.B.5"]]
    assert "Coding rules edited the answer (1)" in out[CASE]


def test_load_next_needs_a_login_and_reports_an_empty_queue(store, fake_coder, users):
    with pytest.raises(gr.Error, match="not signed in"):
        review_tab.load_next("", as_user(None), None)
    out = review_tab.load_next("", ALICE, None)
    assert out[STATE] == {} and "queue is empty" in out[CASE]


def test_open_local_mode_is_the_local_user(store, fake_coder, monkeypatch):
    monkeypatch.setenv("THCE_LOCAL_USER", "dana")
    add_case(NARRATIVE, source="test")
    out = review_tab.load_next("", as_user(None), None)
    review_tab.make_submit("accept")(out[STATE], "", "", "", "", as_user(None), None)
    assert review.my_reviews("dana")[0][2] == "accept"


def test_correct_saves_a_pair_and_loads_the_next_case(store, fake_coder, users):
    add_case(NARRATIVE, source="test")
    add_case(NARRATIVE + " Follow-up.", source="test")
    state = review_tab.load_next("", ALICE, None)[STATE]
    out = review_tab.make_submit("correct")(state, "E11.65\n99213", FAKE_REASONING, "level 3", "", ALICE, None)
    assert "correct saved" in out[STATUS] and "preference pair" in out[STATUS]
    assert out[STATE]["case_id"] == 2
    assert out[HISTORY][0][2:5] == ["correct", 1, "E11.65, 99213"]
    out = review_tab.make_submit("accept")(out[STATE], "", "", "", "", ALICE, None)
    assert "accept saved" in out[STATUS] and out[STATE] == {} and "Reviewed 2 / 2" in out[PROGRESS]


def test_bad_correction_keeps_the_case_and_names_the_codes(store, fake_coder, users):
    add_case(NARRATIVE, source="test")
    state = review_tab.load_next("", ALICE, None)[STATE]
    with pytest.raises(gr.Error, match="E11:"):
        review_tab.make_submit("correct")(state, "E11", "", "", "", ALICE, None)
    with pytest.raises(gr.Error, match="load a case first"):
        review_tab.make_submit("skip")({}, "", "", "", "", ALICE, None)
    assert review.my_reviews("alice") == []


def test_validate_text_search_and_adding_a_result():
    assert review_tab.validate_text("  ") == []
    rows = review_tab.validate_text("e1165 E11")
    assert [(r[0], r[2]) for r in rows] == [("E11.65", "ok"), ("E11", "not_billable")]
    hits = review_tab.search("type 2 diabetes with hyperglycemia")
    assert hits and hits[0][0] in ("icd10cm", "cpt", "hcpcs")
    event = gr.SelectData(None, {"index": [0, 1], "value": "E11.65", "row_value": ["icd10cm", "E11.65", "", 1.0]})
    assert review_tab.add_selected("I10", event) == "I10\nE11.65"
    with pytest.raises(gr.Error, match="empty"):
        review_tab.search("")


def test_api_functions_queue_and_submit_as_the_logged_in_user(store, fake_coder, users):
    queued = review_tab.make_queue_api(None)(NARRATIVE, ALICE, None)
    assert queued["prediction_id"] is not None and fake_coder.calls == 1
    saved = review_tab.submit_review_api(queued["case_id"], "correct", "E11.65, 99215", "", "", ALICE, None)
    assert saved["version"] == 1 and saved["pair_id"] is not None
    assert review.my_reviews("alice")[0][0] == saved["review_id"]
    assert review_tab.my_reviews_api(ALICE, None)[0][0] == saved["review_id"]
    with pytest.raises(gr.Error, match="decision must be one of"):
        review_tab.submit_review_api(queued["case_id"], "maybe", "", "", "", ALICE, None)


def test_export_pairs_writes_dpo_jsonl_for_admins_only(store, fake_coder, users):
    queued = review_tab.make_queue_api(None)(NARRATIVE, ALICE, None)
    review_tab.submit_review_api(queued["case_id"], "correct", "E11.9", "", "", ALICE, None)
    with pytest.raises(gr.Error, match="only administrators"):
        review_tab.export_pairs(ALICE, None)
    lines = open(review_tab.export_pairs(BOB, None), encoding="utf-8").read().splitlines()
    record = json.loads(lines[0])
    assert len(lines) == 1 and record["source"] == "review" and record["meta"]["annotator"] == "alice"
    assert record["chosen"][0]["content"].endswith('{"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}')


def test_on_a_space_the_login_names_the_annotator(store, fake_coder, monkeypatch):
    monkeypatch.setenv("SYSTEM", "spaces")
    monkeypatch.setenv("SPACE_ID", "someone/thce")
    add_case(NARRATIVE, source="test")
    with pytest.raises(gr.Error, match="sign in with Hugging Face"):
        review_tab.load_next("", as_user(None), None)
    profile = gr.OAuthProfile({"preferred_username": "hf-alice", "name": "Alice", "profile": "", "picture": ""})
    out = review_tab.load_next("", as_user(None), profile)
    assert out[STATE]["case_id"] == 1 and "you: 0" in out[PROGRESS]
    review_tab.make_submit("skip")(out[STATE], "", "", "", "", as_user(None), profile)
    assert review.my_reviews("hf-alice")[0][2] == "skip"


def test_shortcuts_script_names_the_buttons():
    for element_id in ("review-accept", "review-correct", "review-reject", "review-skip", "review-next"):
        assert element_id in review_tab.SHORTCUTS_JS
    assert "Alt+A" in review_tab.GUIDELINES and "Alt+S" in review_tab.GUIDELINES
