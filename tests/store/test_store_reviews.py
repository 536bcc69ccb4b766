"""save_review / save_prediction: pairs in the same transaction, validation, append-only versions."""

from __future__ import annotations

import pytest
from sqlmodel import select
from store_helpers import MODEL_REASONING, case_with_prediction, count_rows, model_result

from core.prompts import format_answer
from core.store import (
    Case,
    CodeError,
    ConflictError,
    FieldError,
    NotFoundError,
    PreferencePair,
    Review,
    add_case,
    get_session,
    next_case,
    preference_records,
    save_prediction,
    save_review,
)

CORRECTION = {"icd10cm": ["e119", "I10"], "cpt": ["99214"]}
NORMALIZED = {"icd10cm": ["E11.9", "I10"], "cpt": ["99214"], "hcpcs": []}


def _pair(review_id):
    with get_session() as session:
        return session.exec(select(PreferencePair).where(PreferencePair.review_id == review_id)).one()


def test_a_correction_creates_its_pair(store):
    case_id, prediction_id = case_with_prediction()
    saved = save_review(case_id, "alice", "correct", corrected_codes=CORRECTION, notes="missed I10", time_spent_s=42)
    pair = _pair(saved.review_id)
    expected = model_result()
    assert saved.pair_id == pair.id and saved.version == 1
    # the model's reasoning argued for E11.65, which the annotator removed: chosen is rebuilt from the
    # corrected codes and the stored narrative's evidence
    assert MODEL_REASONING not in pair.chosen and "E11.65" not in pair.chosen
    assert pair.chosen.endswith('{"icd10cm": ["E11.9", "I10"], "cpt": ["99214"], "hcpcs": []}')
    assert '"Type 2 diabetes" -> E11.9' in pair.chosen
    assert pair.rejected == expected["raw"]
    assert pair.prompt == expected["prompt"]
    assert (pair.annotator, pair.model_id, pair.case_id) == ("alice", "test-model", case_id)
    with get_session() as session:
        review = session.get(Review, saved.review_id)
    assert review.corrected_codes == NORMALIZED and review.prediction_id == prediction_id
    assert (review.notes, review.time_spent_s) == ("missed I10", 42.0)


def test_edited_reasoning_goes_into_chosen(store):
    case_id, _ = case_with_prediction()
    saved = save_review(case_id, "alice", "correct", corrected_codes=CORRECTION, corrected_reasoning="Better why.")
    assert _pair(saved.review_id).chosen == format_answer("Better why.", NORMALIZED)


@pytest.mark.parametrize("decision", ["accept", "reject", "skip"])
def test_other_decisions_create_no_pair(store, decision):
    case_id, _ = case_with_prediction()
    saved = save_review(case_id, "alice", decision)
    assert saved.pair_id is None
    assert count_rows() == (1, 0)


def test_saving_releases_the_lease(store):
    case_id, _ = case_with_prediction()
    assert next_case("alice").case_id == case_id
    save_review(case_id, "alice", "accept")
    with get_session() as session:
        case = session.get(Case, case_id)
    assert case.lease_annotator is None and case.lease_expires_at is None


def _bad_inputs(case_id, other_prediction):
    yield dict(case_id=999_999, decision="accept"), NotFoundError, "case_id"
    yield dict(decision="correct", corrected_codes={}), FieldError, "corrected_codes"
    yield dict(decision="correct", corrected_codes=None), FieldError, "corrected_codes"
    yield dict(decision="correct", corrected_codes={"icd10cm": ["E11"]}), CodeError, "corrected_codes.icd10cm[0]"
    yield dict(decision="correct", corrected_codes={"cpt": ["99214", "E11.9"]}), CodeError, "corrected_codes.cpt[1]"
    yield dict(decision="correct", corrected_codes={"icd9": ["250.00"]}), FieldError, "corrected_codes"
    yield dict(decision="accept", notes="x" * 1_000_000), FieldError, "notes"
    yield dict(decision="maybe"), FieldError, "decision"
    yield dict(decision="reject", corrected_codes=CORRECTION), FieldError, "corrected_codes"
    yield dict(decision="accept", time_spent_s=-3), FieldError, "time_spent_s"
    yield dict(decision="accept", prediction_id=other_prediction), FieldError, "prediction_id"
    yield dict(decision="accept", prediction_id=424242), NotFoundError, "prediction_id"
    yield dict(decision="correct", corrected_codes=model_result()["codes"]), FieldError, "corrected_codes"


def test_bad_input_is_a_clear_error_and_writes_nothing(store):
    case_id, _ = case_with_prediction(external_id="main")
    _, other_prediction = case_with_prediction(external_id="other")
    for kwargs, error, field in _bad_inputs(case_id, other_prediction):
        kwargs = {"case_id": case_id, "annotator": "alice"} | kwargs
        case = kwargs.pop("case_id")
        with pytest.raises(error) as info:
            save_review(case, kwargs.pop("annotator"), kwargs.pop("decision"), **kwargs)
        assert info.value.field == field, (kwargs, str(info.value))
        assert field.split(".")[0].split("[")[0] in str(info.value)
        assert count_rows() == (0, 0)


def test_a_correction_needs_a_prediction(store):
    case_id = add_case("no model output yet", source="t")
    with pytest.raises(FieldError, match="no stored model prediction"):
        save_review(case_id, "alice", "correct", corrected_codes=CORRECTION)
    assert count_rows() == (0, 0)


def test_edits_are_new_versions_and_only_the_latest_counts(store):
    case_id, _ = case_with_prediction()
    first = save_review(case_id, "alice", "correct", corrected_codes=CORRECTION)
    with pytest.raises(ConflictError, match="supersedes_id"):
        save_review(case_id, "alice", "accept")  # a second review must say what it edits
    second = save_review(case_id, "alice", "correct", corrected_codes={"icd10cm": ["E11.65", "I10"]},
                         supersedes_id=first.review_id)
    assert second.version == 2
    with pytest.raises(ConflictError, match="already edited"):
        save_review(case_id, "alice", "accept", supersedes_id=first.review_id)
    assert [r["meta"]["review_id"] for r in preference_records()] == [second.review_id]
    third = save_review(case_id, "alice", "accept", supersedes_id=second.review_id)
    assert third.version == 3 and third.pair_id is None
    assert preference_records() == []
    assert count_rows() == (3, 2)  # append-only: nothing was deleted
    with get_session() as session:
        assert session.get(Review, third.review_id).supersedes_id == second.review_id


def test_editing_someone_elses_review_is_refused(store):
    case_id, _ = case_with_prediction()
    first = save_review(case_id, "alice", "accept")
    with pytest.raises(ConflictError):
        save_review(case_id, "bob", "reject", supersedes_id=first.review_id)
    with pytest.raises(NotFoundError):
        save_review(case_id, "alice", "reject", supersedes_id=777)


def test_save_prediction_checks_its_input(store):
    case_id = add_case("n", source="t")
    result = model_result()
    with pytest.raises(NotFoundError, match="case_id"):
        save_prediction(123456, result)
    with pytest.raises(FieldError, match="prompt"):
        save_prediction(case_id, {k: v for k, v in result.items() if k != "prompt"})
    with pytest.raises(FieldError, match="latency_s"):
        save_prediction(case_id, result | {"latency_s": "fast"})
    assert isinstance(save_prediction(case_id, result), int)
    with pytest.raises(FieldError, match="rule_edits"):
        save_prediction(case_id, result | {"rule_edits": [{"action": "drop", "code": "R05.9"}]})


def test_the_coding_rules_edits_are_stored_with_the_prediction(store):
    edit = {"action": "add", "system": "icd10cm", "code": "Z79.84", "rule": "use_additional_code",
            "guideline": "I.A.13", "reason": "the note documents metformin"}
    case_id = add_case("Type 2 diabetes on metformin.", source="t")
    save_prediction(case_id, model_result() | {"rule_edits": [edit]})
    assert next_case("alice").prediction["rule_edits"] == [edit]
    other = add_case("No rules ran.", source="t")
    save_prediction(other, model_result())
    assert next_case("bob").prediction["rule_edits"] == []


# --- issue 14: honest pairs ----------------------------------------------------------------------------------

def test_chosen_never_keeps_reasoning_for_removed_codes(store):
    narrative = "Type 2 diabetes, glucose 320. Blood pressure 150/95, essential hypertension."
    case_id = add_case(narrative, source="test")
    result = model_result(narrative) | {
        "codes": {"icd10cm": ["E11.65", "J18.9"], "cpt": [], "hcpcs": []},
        "reasoning": '"glucose 320" -> E11.65\n"cough" -> J18.9 pneumonia',
    }
    result["raw"] = format_answer(result["reasoning"], result["codes"])
    save_prediction(case_id, result)
    saved = save_review(case_id, "alice", "correct", corrected_codes={"icd10cm": ["E11.65", "I10"]})
    chosen = _pair(saved.review_id).chosen
    assert "J18.9" not in chosen and "pneumonia" not in chosen and "cough" not in chosen
    assert '"glucose 320" -> E11.65' in chosen  # the kept code keeps the model's quote of the narrative
    assert "essential hypertension" in chosen and "I10" in chosen  # the added code gets the narrative's evidence


def test_same_codes_in_another_order_or_spelling_is_not_a_correction(store):
    case_id, _ = case_with_prediction()
    with pytest.raises(FieldError, match="same codes as the model output"):
        save_review(case_id, "alice", "correct", corrected_codes={"icd10cm": ["e1165"], "cpt": ["99213"]})
    assert count_rows() == (0, 0)
    saved = save_review(case_id, "alice", "correct", corrected_codes={"cpt": ["99213"], "icd10cm": ["E11.65"]},
                        corrected_reasoning="Hyperglycemia documented: glucose 320 -> E11.65.")
    assert _pair(saved.review_id).chosen.startswith("<think>\nHyperglycemia documented")  # a reasoning fix


def test_chosen_reads_the_stored_narrative_not_the_prompt(store):
    narrative = "Essential hypertension on lisinopril."
    case_id = add_case(narrative, source="test")
    result = model_result("something else entirely: fractured wrist")  # a prompt about another text
    save_prediction(case_id, result)
    saved = save_review(case_id, "alice", "correct", corrected_codes={"icd10cm": ["I10"]})
    chosen = _pair(saved.review_id).chosen
    assert "hypertension" in chosen.lower() and "wrist" not in chosen


def _case_row(case_id):
    with get_session() as session:
        return session.get(Case, case_id)


def test_a_case_leased_to_someone_else_refuses_other_submissions_but_keeps_drafts(store):
    """Regression: /submit_review stored bob's review of a case alice held, closed it and stranded her draft."""
    case_id, _ = case_with_prediction()
    assert next_case("alice").case_id == case_id
    save_review(case_id, "alice", "accept", status="draft")
    before = count_rows()
    for decision, extra in (("correct", {"corrected_codes": CORRECTION}), ("accept", {}), ("reject", {}),
                            ("skip", {}), (None, {"status": "discarded", "discard_reason": "not a note"})):
        with pytest.raises(ConflictError, match="being reviewed by another annotator.*nothing was stored"):
            save_review(case_id, "bob", decision, **extra)
    assert count_rows() == before
    row = _case_row(case_id)
    assert row.lease_annotator == "alice" and row.needs_review
    save_review(case_id, "bob", "accept", status="draft")  # bob's work is kept as a draft; alice keeps the lease
    assert _case_row(case_id).lease_annotator == "alice"
    saved = save_review(case_id, "alice", "accept")  # alice finishes her own draft
    assert saved.version == 2 and not _case_row(case_id).needs_review


def test_a_finished_case_refuses_more_submissions(store):
    """Regression: a reject on a case already finished was stored, a second review nobody asked for."""
    case_id, _ = case_with_prediction()
    first = save_review(case_id, "alice", "accept")
    before = count_rows()
    with pytest.raises(ConflictError, match="needs no more reviews"):
        save_review(case_id, "bob", "reject")
    assert count_rows() == before
    edit = save_review(case_id, "alice", "reject", supersedes_id=first.review_id)  # her own edit is always fine
    assert edit.version == 2


def test_a_skip_turned_into_a_submission_counts_against_the_quota(store):
    """Regression: a discard edited into an accept after another annotator completed the case gave a
    min_submitted-1 case two submitted reviews."""
    case_id, _ = case_with_prediction()
    discarded = save_review(case_id, "alice", None, status="discarded", discard_reason="unreadable")
    save_review(case_id, "bob", "accept")  # the case is complete
    with pytest.raises(ConflictError, match="needs no more reviews"):
        save_review(case_id, "alice", "accept", supersedes_id=discarded.review_id)
    skipped = save_review(case_id, "alice", "skip", supersedes_id=discarded.review_id)  # no submission added
    assert skipped.version == 2


def test_an_expired_lease_taken_by_another_refuses_the_late_submission(store, monkeypatch):
    case_id, _ = case_with_prediction()
    monkeypatch.setenv("THCE_LEASE_MINUTES", "0.0005")
    assert next_case("alice").case_id == case_id
    import time

    time.sleep(0.1)
    monkeypatch.setenv("THCE_LEASE_MINUTES", "30")
    assert next_case("carol").case_id == case_id  # alice's lease ran out; carol has the case now
    with pytest.raises(ConflictError, match="another annotator"):
        save_review(case_id, "alice", "accept")
    save_review(case_id, "alice", "accept", status="draft")  # not lost: kept as her draft
    save_review(case_id, "carol", "accept")
    assert not _case_row(case_id).needs_review


def test_an_expired_lease_nobody_took_still_accepts_the_submission(store, monkeypatch):
    case_id, _ = case_with_prediction()
    monkeypatch.setenv("THCE_LEASE_MINUTES", "0.0005")
    assert next_case("alice").case_id == case_id
    import time

    time.sleep(0.1)
    assert save_review(case_id, "alice", "accept").version == 1


def test_verdicts_need_a_prediction_to_judge(store):
    """Regression: an accept of a case the model never coded was stored and closed the case with no training row."""
    case_id = add_case("never coded", source="t")
    for decision in ("accept", "reject", "correct"):
        extra = {"corrected_codes": CORRECTION} if decision == "correct" else {}
        with pytest.raises(FieldError, match="no stored model prediction"):
            save_review(case_id, "alice", decision, **extra)
    assert count_rows() == (0, 0) and _case_row(case_id).needs_review
    save_review(case_id, "alice", "skip")  # a case can be skipped or discarded without a prediction
    assert count_rows() == (1, 0)


def test_concurrent_first_submissions_of_one_case_store_exactly_one(store):
    import threading

    case_id, _ = case_with_prediction()
    results, errors = [], []

    def submit(name):
        try:
            results.append(save_review(case_id, name, "correct", corrected_codes=CORRECTION).review_id)
        except ConflictError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=submit, args=(f"coder{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 1 and len(errors) == 3 and all("needs no more reviews" in e for e in errors)
    assert count_rows() == (1, 1)
