"""core.review_workflow: the codes text, the next task (with a prediction), submitting, history."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core import review_workflow as review
from core.store import Case, FieldError, Prediction, PreferencePair, Review, add_case, get_session, stats
from tests.webapp.helpers import FAKE_CODES, FAKE_REASONING, NARRATIVE, FakeCoder, fake_result


def test_parse_codes_text_splits_normalizes_and_assigns_systems():
    parsed = review.parse_codes_text("e1165, 99214\nJ3420;cpt:83036  E11.65")
    assert parsed.ok
    assert parsed.codes == {"icd10cm": ["E11.65"], "cpt": ["99214", "83036"], "hcpcs": ["J3420"]}


def test_parse_codes_text_names_every_unusable_code():
    parsed = review.parse_codes_text("E11 99214 ZZZ99")
    assert not parsed.ok
    assert parsed.codes["cpt"] == ["99214"]
    assert len(parsed.problems) == 2
    assert parsed.problems[0].startswith("E11:") and "billable" in parsed.problems[0]
    assert parsed.problems[1].startswith("ZZZ99:")


def test_codes_text_round_trip_and_adding_a_code():
    text = review.codes_to_text(FAKE_CODES)
    assert text == "E11.65\n99214"
    assert review.parse_codes_text(text).codes == FAKE_CODES
    assert review.add_code_to_text(text, "J3420") == "E11.65\n99214\nJ3420"
    assert review.add_code_to_text(text, "e11.65") == text  # already there
    assert review.add_code_to_text("", "I10") == "I10"


def test_code_rows_describe_each_code():
    rows = review.code_rows(FAKE_CODES)
    assert [r[:2] for r in rows] == [["icd10cm", "E11.65"], ["cpt", "99214"]]
    assert "hyperglycemia" in rows[0][2].lower()


def test_next_task_codes_a_case_without_prediction_and_stores_it(store):
    coder = FakeCoder()
    case_id = add_case(NARRATIVE, source="test")
    task = review.next_task("alice", coder)
    assert coder.calls == 1
    assert (task.case_id, task.codes, task.reasoning, task.model_id) == (case_id, FAKE_CODES, FAKE_REASONING,
                                                                         "fake-model")
    again = review.next_task("alice", coder)  # the lease is still alice's: same case, prediction reused
    assert (again.case_id, again.prediction_id, coder.calls) == (case_id, task.prediction_id, 1)
    assert review.next_task("bob", coder) is None  # leased to alice


def test_queue_for_review_codes_the_narrative_on_the_server_and_records_who(store):
    coder = FakeCoder()
    case_id, prediction_id = review.queue_for_review(NARRATIVE, "alice", coder)
    assert coder.calls == 1
    with get_session() as session:
        case, pred = session.get(Case, case_id), session.get(Prediction, prediction_id)
    assert (case.narrative, case.created_by, pred.requested_by) == (NARRATIVE, "alice", "alice")
    assert case.created_at is not None and pred.created_at is not None
    task = review.next_task("alice", FakeCoder())
    assert (task.case_id, task.prediction_id, task.narrative) == (case_id, prediction_id, NARRATIVE)
    with pytest.raises(FieldError, match="narrative is required"):
        review.queue_for_review("  ", "alice", coder)


def test_a_case_whose_coding_fails_stays_queued_and_is_coded_when_opened(store):
    def broken(narrative):
        raise RuntimeError("model not loaded")

    case_id, prediction_id = review.queue_for_review(NARRATIVE, "alice", broken)
    assert prediction_id is None
    task = review.next_task("bob", FakeCoder())
    assert task.case_id == case_id and task.codes == FAKE_CODES


def _pairs() -> list[PreferencePair]:
    with get_session() as session:
        return list(session.exec(select(PreferencePair)).all())


def test_submit_correction_writes_a_pair_rebuilding_unedited_reasoning(store):
    case_id, prediction_id = review.queue_for_review(NARRATIVE, "alice", FakeCoder())
    saved = review.submit_review(case_id, "alice", "correct", "E11.65\n99213", FAKE_REASONING + "  ",
                                 "visit level", prediction_id=prediction_id, model_reasoning=FAKE_REASONING,
                                 time_spent_s=12.5)
    assert saved.pair_id is not None
    with get_session() as session:
        stored = session.get(Review, saved.review_id)
    assert stored.corrected_codes == {"icd10cm": ["E11.65"], "cpt": ["99213"], "hcpcs": []}
    assert stored.corrected_reasoning is None  # unchanged reasoning is not a correction of it
    assert stored.time_spent_s == 12.5
    (pair,) = _pairs()
    assert '"cpt": ["99213"]' in pair.chosen and FAKE_REASONING not in pair.chosen  # it argued for 99214
    assert "99214" not in pair.chosen, pair.chosen
    assert "-> E11.65." in pair.chosen and "(Type 2 diabetes" not in pair.chosen  # the training data's line style
    assert pair.rejected == fake_result(NARRATIVE)["raw"]


def test_submit_correction_with_bad_codes_is_refused_and_stores_nothing(store):
    case_id, _ = review.queue_for_review(NARRATIVE, "alice", FakeCoder())
    with pytest.raises(FieldError, match=r"corrected_codes: E11:.*; XX:") as err:
        review.submit_review(case_id, "alice", "correct", "E11 XX 99214")
    assert err.value.field == "corrected_codes"
    assert review.my_reviews("alice") == [] and _pairs() == []


def test_accept_refuses_codes_text_and_history_and_progress_follow(store):
    first, _ = review.queue_for_review(NARRATIVE, "alice", FakeCoder())
    second, _ = review.queue_for_review(NARRATIVE + " Second visit.", "alice", FakeCoder())
    assert (stats()["cases"]["done"], stats()["cases"]["total"]) == (0, 2)
    for codes, reasoning, field in (("I10", "", "corrected_codes"), ("", "edited reasoning", "corrected_reasoning")):
        with pytest.raises(FieldError, match=f"{field} only goes with decision 'correct'"):  # never dropped silently
            review.submit_review(first, "alice", "accept", codes, reasoning)
    assert stats()["reviews"]["latest"] == 0
    review.submit_review(first, "alice", "accept")
    review.submit_review(second, "alice", "correct", "E11.9", "new reasoning", "missed")
    history = review.my_reviews("alice")
    assert [row[2] for row in history] == ["correct", "accept"]
    assert history[0][3] == "submitted" and history[0][5] == "E11.9" and history[0][6] == "missed" and history[1][5] == ""
    assert review.my_reviews("bob") == []
    numbers = stats()
    assert numbers["cases"]["done"] == 2 and numbers["preference_pairs"] == 1
    assert numbers["by_annotator"]["alice"]["total"] == 2
    assert review.next_task("alice", FakeCoder()) is None


def test_no_narrative_text_reaches_the_logs(store, caplog):
    secret = "Zebra-striped unicorn narrative 4711"
    with caplog.at_level("DEBUG"):
        case_id, prediction_id = review.queue_for_review(secret, "alice", FakeCoder())
        task = review.next_task("alice", FakeCoder())
        review.submit_review(task.case_id, "alice", "correct", "E11.9", "new reasoning")
        add_case(secret + " again", source="test")
        review.next_task("bob", FakeCoder())
    assert caplog.records  # the store does log what it writes ...
    assert not any("Zebra" in record.getMessage() for record in caplog.records)  # ... but never the text
