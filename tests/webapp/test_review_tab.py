"""Review tab callbacks as plain functions (a fake coder instead of the model)."""

from __future__ import annotations

import json

import gradio as gr
import pytest

from core import review
from core.store import add_case
from tests.webapp.helpers import FAKE_REASONING, NARRATIVE, fake_result
from webapp import review_tab

STATE, CASE, MODEL_REASONING, MODEL_CODES, CODES_TEXT, REASONING, NOTES, STATUS, PROGRESS, HISTORY = range(10)


def test_send_to_review_confirms_or_explains(store):
    assert review_tab.send_to_review(NARRATIVE, fake_result(NARRATIVE)).startswith("✓ Queued for review as case **#1**")
    assert "code the narrative first" in review_tab.send_to_review(NARRATIVE, {})


def test_load_next_shows_the_case_with_model_output_and_editable_copy(store, fake_coder):
    add_case(NARRATIVE, source="test")
    out = review_tab.load_next("alice", "", None)
    assert out[STATE]["case_id"] == 1 and out[STATE]["started"] > 0
    assert NARRATIVE in out[CASE] and "fake-model" in out[CASE]
    assert out[MODEL_REASONING] == out[REASONING] == FAKE_REASONING
    assert [row[1] for row in out[MODEL_CODES]] == ["E11.65", "99214"]
    assert out[CODES_TEXT] == "E11.65\n99214"
    assert "Reviewed 0 / 1" in out[PROGRESS] and fake_coder.calls == 1


def test_load_next_needs_a_name_and_reports_an_empty_queue(store, fake_coder):
    with pytest.raises(gr.Error, match="type your name"):
        review_tab.load_next("", "", None)
    out = review_tab.load_next("alice", "", None)
    assert out[STATE] == {} and "queue is empty" in out[CASE]


def test_correct_saves_a_pair_and_loads_the_next_case(store, fake_coder):
    add_case(NARRATIVE, source="test")
    add_case(NARRATIVE + " Follow-up.", source="test")
    state = review_tab.load_next("alice", "", None)[STATE]
    out = review_tab.make_submit("correct")(state, "alice", "E11.65\n99213", FAKE_REASONING, "level 3", "", None)
    assert "correct saved" in out[STATUS] and "preference pair" in out[STATUS]
    assert out[STATE]["case_id"] == 2
    assert out[HISTORY][0][2:5] == ["correct", 1, "E11.65, 99213"]
    out = review_tab.make_submit("accept")(out[STATE], "alice", "", "", "", "", None)
    assert "accept saved" in out[STATUS] and out[STATE] == {} and "Reviewed 2 / 2" in out[PROGRESS]


def test_bad_correction_keeps_the_case_and_names_the_codes(store, fake_coder):
    add_case(NARRATIVE, source="test")
    state = review_tab.load_next("alice", "", None)[STATE]
    with pytest.raises(gr.Error, match="E11:"):
        review_tab.make_submit("correct")(state, "alice", "E11", "", "", "", None)
    with pytest.raises(gr.Error, match="load a case first"):
        review_tab.make_submit("skip")({}, "alice", "", "", "", "", None)
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


def test_api_functions_queue_and_submit(store):
    queued = review_tab.queue_case_api(NARRATIVE, fake_result(NARRATIVE))
    saved = review_tab.submit_review_api(queued["case_id"], "api-bot", "correct", "E11.65, 99215", "", "")
    assert saved["version"] == 1 and saved["pair_id"] is not None
    with pytest.raises(gr.Error, match="decision must be one of"):
        review_tab.submit_review_api(queued["case_id"], "api-bot", "maybe")


def test_export_pairs_writes_dpo_jsonl(store):
    queued = review_tab.queue_case_api(NARRATIVE, fake_result(NARRATIVE))
    review_tab.submit_review_api(queued["case_id"], "alice", "correct", "E11.9")
    lines = open(review_tab.export_pairs(), encoding="utf-8").read().splitlines()
    record = json.loads(lines[0])
    assert len(lines) == 1 and record["source"] == "review"
    assert record["rejected"][0]["content"] == fake_result(NARRATIVE)["raw"]
    assert record["chosen"][0]["content"].endswith('{"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []}')


def test_on_a_space_the_login_names_the_annotator(store, fake_coder, monkeypatch):
    monkeypatch.setenv("SYSTEM", "spaces")
    monkeypatch.setenv("SPACE_ID", "someone/thce")
    add_case(NARRATIVE, source="test")
    with pytest.raises(gr.Error, match="sign in"):
        review_tab.load_next("typed-name", "", None)
    profile = gr.OAuthProfile({"preferred_username": "hf-alice", "name": "Alice", "profile": "", "picture": ""})
    out = review_tab.load_next("typed-name", "", profile)
    assert out[STATE]["case_id"] == 1 and "you: 0" in out[PROGRESS]
    review_tab.make_submit("skip")(out[STATE], "typed-name", "", "", "", "", profile)
    assert review.my_reviews("hf-alice")[0][2] == "skip" and review.my_reviews("typed-name") == []


def test_shortcuts_script_names_the_buttons():
    for element_id in ("review-accept", "review-correct", "review-reject", "review-skip", "review-next"):
        assert element_id in review_tab.SHORTCUTS_JS
    assert "Alt+A" in review_tab.GUIDELINES and "Alt+S" in review_tab.GUIDELINES
