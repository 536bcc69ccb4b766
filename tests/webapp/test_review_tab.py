"""Review tab callbacks as plain functions (a fake coder instead of the model)."""

from __future__ import annotations

import json

import gradio as gr
import pytest

from core import review_workflow as review
from core.store import add_case
from tests.webapp.helpers import FAKE_REASONING, NARRATIVE, as_user
from webapp import review_actions as actions
from webapp import review_tab

LOAD, VIEW = actions.LOAD, actions.VIEW
(STATE, CASE, MODEL_REASONING, CODES, CODES_TEXT, REASONING, NOTES, STATUS, PROGRESS, HISTORY, SUMMARY, RULE_EDITS,
 SEARCH, HITS, HINT) = (LOAD.index(name) for name in ("state", "case", "model_reasoning", "codes", "codes_text", "reasoning",
                                                     "notes", "status", "progress", "history", "summary", "rule_edits",
                                                     "search", "hits", "hint"))


def finish(action, state, user, reasoning="", notes="", reason="", profile=None):
    """A button that ends a case, then the chained load of the next one (as the browser runs them)."""
    out = actions.make_finish(action)(state, reasoning, notes, reason, user, profile)
    state, status = out[0], out[5]
    assert state == {} and out[1] == [] and out[-1] == "Loading the next case…"  # the finished case leaves the screen
    return actions.load_next("", status, user, profile)


ALICE, BOB = as_user("alice"), as_user("bob")


def test_send_to_review_codes_on_the_server_and_confirms(store, fake_coder):
    assert review_tab.send_to_review(NARRATIVE, "", as_user(None)).startswith("✓ Queued for review as case **#1**")
    assert fake_coder.calls == 1  # the server coded it: the browser sent the narrative only
    assert "narrative is required" in review_tab.send_to_review("  ", "", as_user(None))


def test_load_next_shows_the_case_with_its_codes_as_rows(store, fake_coder, users):
    add_case(NARRATIVE, source="test")
    out = actions.load_next("", "", ALICE, None)
    assert out[STATE]["case_id"] == 1 and out[STATE]["started"] > 0
    assert "Case #1" in out[CASE] and "fake-model" in out[CASE]
    assert out[MODEL_REASONING] == out[REASONING] == FAKE_REASONING
    assert [(row[0], row[1], row[3]) for row in out[CODES]] == [("▶", "✓ keep", "E11.65"), ("", "✓ keep", "99214"),
                                                                ("", "✗ confirm drop", "R73.9")]
    # the code the rules dropped is a row of its own, with the rule and its reason
    assert out[CODES][2][6] == "dropped by integral_symptom because hyperglycemia is part of E11.65: not coded"
    assert out[CODES_TEXT] == "E11.65\n99214"
    assert "accept (the model's codes, no edit)" in out[SUMMARY]
    assert "0 / 1 cases complete" in out[PROGRESS] and fake_coder.calls == 1
    # the coding rules' edits of the prediction are shown with their reasons
    assert out[RULE_EDITS] == [["integral_symptom", "dropped R73.9 (icd10cm)", "hyperglycemia is part of E11.65: not coded",
                                "ICD-10-CM Official Guidelines I.B.5"]]
    assert "Coding rules edited the answer (1)" in out[CASE]
    # a new case starts with an empty search: no hint or matches left from the case before
    assert (out[SEARCH], out[HITS], out[HINT]) == ("", [], "")


def test_load_next_needs_a_login_and_reports_an_empty_queue(store, fake_coder, users):
    with pytest.raises(gr.Error, match="not signed in"):
        actions.load_next("", "", as_user(None), None)
    out = actions.load_next("", "", ALICE, None)
    assert out[STATE] == {} and "queue is empty" in out[CASE]


def test_open_local_mode_is_the_local_user(store, fake_coder, monkeypatch):
    monkeypatch.setenv("THCE_LOCAL_USER", "dana")
    add_case(NARRATIVE, source="test")
    out = actions.load_next("", "", as_user(None), None)
    finish("accept", out[STATE], as_user(None))
    assert review.my_reviews("dana")[0][2] == "accept"


def test_drop_add_and_submit_store_a_correction_and_load_the_next_case(store, fake_coder, users):
    add_case(NARRATIVE, source="test")
    add_case(NARRATIVE + " Follow-up.", source="test")
    state = actions.load_next("", "", ALICE, None)[STATE]
    view = actions.move(1)(state, ALICE, None)
    assert view[VIEW.index("codes")][1][0] == "▶"
    view = actions.toggle_selected(view[0], ALICE, None)
    assert view[VIEW.index("codes")][1][1] == "✗ drop"
    view = actions.add_from_search(view[0], "99213", ALICE, None)
    assert view[VIEW.index("status")] == "✓ added 99213 (" + view[0]["rows"][-1]["description"] + ")"
    assert "correction" in view[VIEW.index("summary")] and "dropped 99214; added 99213" in view[VIEW.index("summary")]
    out = finish("submit", view[0], ALICE, notes="level 3")
    assert "correct saved" in out[STATUS] and "preference pair" in out[STATUS]
    assert out[STATE]["case_id"] == 2
    assert out[HISTORY][0][2:6] == ["correct", "submitted", 1, "E11.65, 99213"]
    out = finish("submit", out[STATE], ALICE)
    assert "accept saved" in out[STATUS] and out[STATE] == {} and "2 / 2 cases complete" in out[PROGRESS]


def test_restoring_a_code_the_rules_dropped_stores_it_in_the_correction(store, fake_coder, users):
    add_case(NARRATIVE, source="test")
    state = actions.load_next("", "", ALICE, None)[STATE]
    view = actions.toggle_selected(state | {"selected": 2}, ALICE, None)
    assert view[VIEW.index("codes")][2][1] == "✓ restore" and "restored R73.9" in view[VIEW.index("summary")]
    assert "Coding rules: dropped by integral_symptom" in view[VIEW.index("selected")]
    out = finish("submit", view[0], ALICE)
    assert "correct saved" in out[STATUS] and review.my_reviews("alice")[0][5] == "E11.65, R73.9, 99214"


def test_a_draft_comes_back_and_discard_needs_a_reason(store, fake_coder, users):
    add_case(NARRATIVE, source="test")
    state = actions.load_next("", "", ALICE, None)[STATE]
    state = actions.toggle_selected(state, ALICE, None)[0]
    saved = actions.save_draft(state, "", "half done", ALICE, None)
    assert "Draft saved" in saved[VIEW.index("status")] and "1 draft" in saved[-1]
    out = actions.load_next("", "", ALICE, None)  # the draft is loaded again, E11.65 still dropped
    assert "your draft" in out[CASE] and out[CODES][0][1] == "✗ drop" and out[NOTES] == "half done"
    with pytest.raises(gr.Error, match="discard_reason is required"):
        finish("discard", out[STATE], ALICE)
    out = finish("discard", out[STATE], ALICE, reason="not a clinical note")
    assert "discarded saved" in out[STATUS] and review.my_reviews("alice")[0][3] == "discarded"


def test_next_case_in_the_middle_of_a_case_keeps_the_edits_as_a_draft(store, fake_coder, users):
    """Regression: Next case while editing reloaded the same case and threw the edits away without a word."""
    add_case(NARRATIVE, source="test")
    loaded = actions.load_next("", "", ALICE, None)
    state = loaded[STATE]
    untouched = actions.open_next_case(state, loaded[REASONING], loaded[NOTES], "", ALICE, None)
    assert untouched[STATUS] == "" and review.my_reviews("alice") == []  # nothing changed: no draft
    state = actions.toggle_selected(untouched[STATE], ALICE, None)[0]
    out = actions.open_next_case(state, loaded[REASONING], "check the A1c", "", ALICE, None)
    assert out[STATUS].startswith(f"✓ Case #{state['case_id']}: your edits were saved as a draft")
    assert out[STATE]["case_id"] == state["case_id"] and "your draft" in out[CASE]  # the same case comes back
    assert out[CODES][0][1] == "✗ drop" and out[NOTES] == "check the A1c"
    assert review.my_reviews("alice")[0][3] == "draft"


def test_an_edited_reasoning_survives_a_draft_and_comes_back(store, fake_coder, users):
    """Regression: a reasoning edit alone was stored as an accept draft without it, and a draft's reasoning never
    came back (the box showed the model's again), so Submit lost it; a second Next case stored the same draft
    again."""
    add_case(NARRATIVE, source="test")
    loaded = actions.load_next("", "", ALICE, None)
    mine = "E11.65 because glucose 320 with type 2 diabetes."
    out = actions.open_next_case(loaded[STATE], mine, "", "", ALICE, None)
    assert "saved as a draft" in out[STATUS] and out[REASONING] == mine and out[MODEL_REASONING] == FAKE_REASONING
    assert "your draft from 20" in out[CASE] and " UTC is loaded" in out[CASE] and "T" not in out[CASE].split("from ")[1][:12]
    again = actions.open_next_case(out[STATE], out[REASONING], out[NOTES], "", ALICE, None)
    assert again[STATUS] == "" and len(review.my_reviews("alice")) == 1  # unchanged: no second draft
    saved = actions.save_draft(again[STATE], mine, "note", ALICE, None)
    assert actions.unsaved_edits(saved[0], mine, "note") is False  # saved: nothing left unsaved
    done = finish("submit", again[STATE], ALICE, reasoning=mine)
    assert "correct saved" in done[STATUS]
    from sqlmodel import select

    from core.store import Review, get_session

    with get_session() as session:
        latest = session.exec(select(Review).order_by(Review.id.desc())).first()
    assert latest.status == "submitted" and latest.corrected_reasoning == mine


def test_every_code_dropped_is_refused_with_the_way_out(store, fake_coder, users):
    add_case(NARRATIVE, source="test")
    state = actions.load_next("", "", ALICE, None)[STATE]
    for index in range(2):
        state = actions.toggle_selected(state | {"selected": index}, ALICE, None)[0]
    with pytest.raises(gr.Error, match="every code is dropped"):
        finish("submit", state, ALICE)
    # a finish button with no case on screen (a second click while the next case loads): no error, nothing stored
    out = actions.make_finish("skip")({}, "", "", "", ALICE, None)
    assert out[0] == {} and out[-1] == "Loading the next case…"
    assert review.my_reviews("alice") == []


def test_search_as_you_type_names_what_enter_adds(store, fake_coder, users):
    hits, hint = actions.search_live("E78.5")
    assert hint.startswith("“E78.5”: Enter adds **E78.5**") and hits[0][1] == "E78.5"
    assert actions.search_live("  ") == ([], "")
    add_case(NARRATIVE, source="test")
    state = actions.load_next("", "", ALICE, None)[STATE]
    out = actions.add_from_search(state, "E11", ALICE, None)  # a header code: nothing added, its billable codes named
    assert out[0]["rows"] == state["rows"] and out[VIEW.index("status")].startswith("⚠ E11 is not billable; billable: E11.")
    assert actions.search_live("E11")[1].startswith("“E11”: E11 is not billable")
    out = actions.add_from_search(state, "zzzzqqq", ALICE, None)
    assert out[VIEW.index("status")] == "⚠ no billable code matches 'zzzzqqq'"


def test_validate_text_search_and_adding_a_result():
    assert review_tab.validate_text("  ") == []
    rows = review_tab.validate_text("e1165 E11")
    assert [(r[0], r[2]) for r in rows] == [("E11.65", "ok"), ("E11", "not_billable")]
    hits = review_tab.search("type 2 diabetes with hyperglycemia")
    assert hits and hits[0][0] in ("icd10cm", "cpt", "hcpcs")
    with pytest.raises(gr.Error, match="empty"):
        review_tab.search("")


def test_api_functions_queue_and_submit_as_the_logged_in_user(store, fake_coder, users):
    queued = review_tab.make_queue_api(None)(NARRATIVE, ALICE, None)
    assert queued["prediction_id"] is not None and fake_coder.calls == 1
    saved = review_tab.submit_review_api(queued["case_id"], "correct", "E11.65, 99215", "", "", request=ALICE)
    assert saved["version"] == 1 and saved["pair_id"] is not None
    assert review.my_reviews("alice")[0][0] == saved["review_id"]
    assert review_tab.my_reviews_api(ALICE, None)[0][0] == saved["review_id"]
    with pytest.raises(gr.Error, match="decision must be one of"):
        review_tab.submit_review_api(queued["case_id"], "maybe", "", "", "", request=ALICE)


def test_export_pairs_writes_dpo_jsonl_for_admins_only(store, fake_coder, users):
    queued = review_tab.make_queue_api(None)(NARRATIVE, ALICE, None)
    review_tab.submit_review_api(queued["case_id"], "correct", "E11.9", "", "", request=ALICE)
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
        actions.load_next("", "", as_user(None), None)
    profile = gr.OAuthProfile({"preferred_username": "hf-alice", "name": "Alice", "profile": "", "picture": ""})
    out = actions.load_next("", "", as_user(None), profile)
    assert out[STATE]["case_id"] == 1 and "0 submitted" in out[PROGRESS]
    with pytest.raises(gr.Error, match="sign in"):
        finish("skip", out[STATE], as_user(None))
    finish("skip", out[STATE], as_user(None), profile=profile)
    assert review.my_reviews("hf-alice")[0][2] == "skip"


def test_every_shortcut_is_listed_and_names_an_element():
    for key, what, element_id in review_tab.SHORTCUTS:
        assert element_id in review_tab.SHORTCUTS_JS and f"**{key}** {what}" in review_tab.SHORTCUTS_MARKDOWN
    assert set(review_tab.SHORTCUT_KEYS.values()) == {element for _, _, element in review_tab.SHORTCUTS}


def test_team_panel_and_new_exports_are_for_admins_only(store, fake_coder, users):
    queued = review_tab.make_queue_api(None)(NARRATIVE, ALICE, None)
    review_tab.submit_review_api(queued["case_id"], "accept", "", "", "", request=ALICE)
    assert "administrators" in review_tab.team_view(ALICE, None)[0] and review_tab.team_view(ALICE, None)[1] == []
    text, rows = review_tab.team_view(BOB, None)
    assert "no case has two submitted reviews" in text and rows[0][:2] == ["alice", 1]
    assert review_tab.team_visibility(ALICE, None)["visible"] is False
    for kind in ("kto", "sft"):
        with pytest.raises(gr.Error, match="only administrators"):
            review_tab.make_export(kind)(ALICE, None)
    kto = [json.loads(line) for line in open(review_tab.make_export("kto")(BOB, None), encoding="utf-8")]
    assert [(row["label"], row["meta"]["decision"]) for row in kto] == [(True, "accept")]


def test_next_case_leaves_a_case_finished_in_another_tab(store, fake_coder, users):
    """Regression: the same case open in two tabs, submitted in the first; in the second, with a note typed, Next
    case tried to save the edits as a draft, was refused (alice already reviewed it) and kept the case on screen:
    the tab could never leave it. It now loads the next case and says what on screen was not saved."""
    add_case(NARRATIVE, source="test")
    add_case(NARRATIVE + " Follow-up.", source="test")
    first = actions.load_next("", "", ALICE, None)
    second = actions.load_next("", "", ALICE, None)  # the other tab: the same leased case
    assert first[STATE]["case_id"] == second[STATE]["case_id"] == 1
    finish("accept", first[STATE], ALICE)
    out = actions.open_next_case(second[STATE], second[REASONING], "checked the A1c", "", ALICE, None)
    assert out[STATE]["case_id"] == 2
    assert out[STATUS].startswith("⚠ Case #1 was already finished (alice already reviewed case 1")
    assert "not saved" in out[STATUS] and "E11.65, 99214" in out[STATUS] and "checked the A1c" in out[STATUS]
    assert [row[2:4] for row in review.my_reviews("alice")] == [["accept", "submitted"]]  # nothing else stored


def test_the_search_hint_shows_what_was_typed_even_with_tags(store, fake_coder, users):
    """Regression: the hint is markdown, so typing "<script>alert(1)</script>" showed “”: Enter adds ... (the
    query vanished) and "<b>zz</b>" showed a bold zz: the hint no longer named what Enter acts on."""
    from core.review_codes import Added
    from webapp import review_views

    assert actions.search_live("<b>zzzzqqq</b>")[1].startswith("“&lt;b&gt;zzzzqqq&lt;/b&gt;”: ")
    assert review_views.added_text(Added("no_match", "<b>zz</b>")) == "no billable code matches '&lt;b&gt;zz&lt;/b&gt;'"
    assert actions.search_live("<script>alert(1)</script>")[1].startswith("“&lt;script&gt;alert(1)&lt;/script&gt;”: ")


def test_notes_longer_than_the_box_used_to_allow_are_kept_and_too_long_ones_refused(store, fake_coder, users):
    """Regression: the Notes and Discard reason boxes had max_length=2,000, so the browser cut longer notes without
    a word (the store keeps 20,000 characters of notes)."""
    from core.store.reviews import MAX_NOTES_CHARS, MAX_REASON_CHARS

    with gr.Blocks() as demo:
        review_tab.build_review_tab(None)
    boxes = {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None) in ("review-notes",
                                                                                          "review-reason")}
    assert len(boxes) == 2 and all(box.max_length is None for box in boxes.values())
    add_case(NARRATIVE, source="test")
    state = actions.load_next("", "", ALICE, None)[STATE]
    long_notes = "checked the chart; " * 300  # 5,700 characters
    saved = actions.save_draft(state, "", long_notes, ALICE, None)
    assert "Draft saved" in saved[VIEW.index("status")]
    assert actions.load_next("", "", ALICE, None)[NOTES] == long_notes
    with pytest.raises(gr.Error, match=f"{MAX_REASON_CHARS:,}|{MAX_REASON_CHARS}"):
        finish("discard", state, ALICE, reason="x" * (MAX_REASON_CHARS + 1))
    assert MAX_NOTES_CHARS > 2000


def test_a_finished_review_is_edited_from_my_reviews_into_a_new_version(store, fake_coder, users):
    """My reviews → Edit: the page had no way to change a submitted review (the error pointed to supersedes_id,
    an API parameter). The review's codes and notes come back; finishing stores version 2, which replaces it."""
    add_case(NARRATIVE, source="test")
    add_case(NARRATIVE + " Follow-up.", source="test")
    first = actions.load_next("", "", ALICE, None)
    out = finish("accept", first[STATE], ALICE, notes="looks right")
    accepted = out[HISTORY][0][0]
    assert out[STATE]["case_id"] == 2  # the next case is on screen, untouched
    edit = actions.edit_review(accepted, out[STATE], out[REASONING], out[NOTES], ALICE, None)
    assert edit[STATE]["case_id"] == 1 and edit[STATE]["edits_review"] == accepted
    assert f"editing your review {accepted}" in edit[CASE] and edit[NOTES] == "looks right"
    view = actions.move(1)(edit[STATE], ALICE, None)
    view = actions.toggle_selected(view[0], ALICE, None)  # drop 99214: the accept becomes a correction
    with pytest.raises(gr.Error, match="being edited"):  # a finished review is not turned back into a draft
        actions.save_draft(view[0], "", "looks right", ALICE, None)
    done = actions.make_finish("submit")(view[0], "", "level 3 after all", "", ALICE, None)
    assert f"version 2: replaces review {accepted}" in done[5] and "preference pair" in done[5]
    mine = review.my_reviews("alice")
    assert [row[2:5] for row in mine if row[1] == mine[0][1]] == [["correct", "submitted", 2]]
    with pytest.raises(gr.Error, match="was edited since"):  # the old version is not editable any more
        actions.edit_review(accepted, {}, "", "", ALICE, None)


def test_editing_is_for_your_own_finished_reviews_and_leaving_unsaved_says_so(store, fake_coder, users):
    add_case(NARRATIVE, source="test")
    add_case(NARRATIVE + " Follow-up.", source="test")
    out = finish("reject", actions.load_next("", "", BOB, None)[STATE], BOB)
    bobs = review.my_reviews("bob")[0][0]
    with pytest.raises(gr.Error, match="another annotator's"):
        actions.edit_review(bobs, {}, "", "", ALICE, None)
    with pytest.raises(gr.Error, match="id of one of your reviews"):
        actions.edit_review(None, {}, "", "", ALICE, None)
    edit = actions.edit_review(bobs, out[STATE], out[REASONING], out[NOTES], BOB, None)
    left = actions.open_next_case(edit[STATE], edit[REASONING], "changed my mind", "", BOB, None)  # not finished
    assert f"edit of review {bobs} was not stored" in left[STATUS]
    assert [row[2:5] for row in review.my_reviews("bob")] == [["reject", "submitted", 1]]


def test_finishing_a_case_you_already_finished_elsewhere_points_to_my_reviews(store, fake_coder, users):
    add_case(NARRATIVE, source="test")
    first = actions.load_next("", "", ALICE, None)
    second = actions.load_next("", "", ALICE, None)  # the same case in another tab
    finish("accept", first[STATE], ALICE)
    with pytest.raises(gr.Error, match="already finished by you .*My reviews → Edit"):
        actions.make_finish("reject")(second[STATE], "", "", "", ALICE, None)
