"""Review statuses (draft / submitted / discarded / skipped), min_submitted per case, leases that expire,
statistics by status and annotator with kappa per system, and progress."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import func, select
from store_helpers import case_with_prediction, model_result

from core.store import (
    Case,
    ConflictError,
    FieldError,
    PreferencePair,
    Review,
    add_case,
    get_session,
    next_case,
    progress,
    run_write,
    save_prediction,
    save_review,
    set_min_submitted,
    stats,
)
from core.store.models import utcnow

FIX = {"icd10cm": ["E11.65", "I10"], "cpt": ["99213"]}


def _expire_leases():
    past = utcnow() - timedelta(minutes=1)
    run_write(lambda s: s.execute(update(Case).values(lease_expires_at=past)))


def _latest(case_id, annotator):
    with get_session() as session:
        rows = session.exec(select(Review).where(Review.case_id == case_id, Review.annotator == annotator)
                            .order_by(Review.id)).all()
    return rows[-1], len(rows)


def test_a_draft_keeps_the_case_and_the_submission_supersedes_it(store):
    case_id, _ = case_with_prediction()
    assert next_case("alice").case_id == case_id
    draft = save_review(case_id, "alice", "correct", corrected_codes={"icd10cm": ["E11.65"]}, status="draft")
    assert draft.pair_id is None
    item = next_case("alice")  # the draft comes back, with what was saved
    assert item.case_id == case_id and item.draft["corrected_codes"]["icd10cm"] == ["E11.65"]
    assert next_case("bob") is None  # the lease was renewed by the draft
    draft2 = save_review(case_id, "alice", "correct", corrected_codes={}, status="draft")  # empty is fine in a draft
    saved = save_review(case_id, "alice", "correct", corrected_codes=FIX)
    assert (draft2.version, saved.version) == (2, 3) and saved.pair_id is not None
    review, versions = _latest(case_id, "alice")
    assert (review.status, review.supersedes_id, versions) == ("submitted", draft2.review_id, 3)
    assert next_case("alice") is None and next_case("bob") is None  # done (min_submitted 1)


def test_a_draft_after_the_lease_expired_goes_to_someone_else_and_stays_mine(store):
    case_id, _ = case_with_prediction()
    next_case("alice")
    save_review(case_id, "alice", "accept", status="draft")
    _expire_leases()
    assert next_case("bob").case_id == case_id  # expired: back in the queue
    save_review(case_id, "bob", "accept")
    assert progress("alice")["me"]["draft"] == 1 and progress("bob")["me"]["submitted"] == 1


def test_discard_needs_a_reason_and_hands_the_case_on(store):
    case_id, _ = case_with_prediction()
    next_case("alice")
    with pytest.raises(FieldError, match="discard_reason is required"):
        save_review(case_id, "alice", None, status="discarded")
    with pytest.raises(FieldError, match="only goes with status 'discarded'"):
        save_review(case_id, "alice", "accept", discard_reason="why")
    with pytest.raises(FieldError, match="decision 'skip'"):
        save_review(case_id, "alice", "accept", status="discarded", discard_reason="x")
    save_review(case_id, "alice", None, status="discarded", discard_reason="not a clinical note")
    review, _ = _latest(case_id, "alice")
    assert (review.status, review.decision, review.discard_reason) == ("discarded", "skip", "not a clinical note")
    assert next_case("alice") is None
    assert next_case("bob").case_id == case_id  # a discard does not count towards min_submitted
    with get_session() as session:
        assert session.exec(select(func.count()).select_from(PreferencePair)).one() == 0


def test_bad_statuses_are_refused(store):
    case_id, _ = case_with_prediction()
    with pytest.raises(FieldError, match="status must be one of"):
        save_review(case_id, "alice", "accept", status="maybe")
    with pytest.raises(FieldError, match="for a submitted review"):
        save_review(case_id, "alice", "skip", status="submitted")


def test_min_submitted_keeps_a_case_until_enough_coders_submitted(store, monkeypatch):
    monkeypatch.setenv("THCE_MIN_SUBMITTED", "2")
    case_id = case_with_prediction()[0]
    one = add_case("single", source="t", min_submitted=1)
    save_prediction(one, model_result("single"))
    assert next_case("alice").case_id == case_id
    save_review(case_id, "alice", "accept")
    assert next_case("alice").case_id == one  # alice is done with the first; it waits for a second coder
    save_review(one, "alice", "accept")
    item = next_case("bob")
    assert item.case_id == case_id and item.second_review and (item.submitted, item.min_submitted) == (1, 2)
    save_review(case_id, "bob", "correct", corrected_codes=FIX)
    assert next_case("carol") is None
    assert set_min_submitted(3, case_ids=[case_id]) == 1
    assert next_case("carol").case_id == case_id  # reopened for a third coder
    with pytest.raises(FieldError, match="min_submitted"):
        add_case("x", source="t", min_submitted=0)


def test_lease_minutes_come_from_the_environment(store, monkeypatch):
    monkeypatch.setenv("THCE_LEASE_MINUTES", "0.001")
    case_id = add_case("n", source="t")
    item = next_case("alice")
    assert item.lease_expires_at is not None
    time.sleep(0.1)
    assert next_case("bob").case_id == case_id  # alice's lease (0.06 s) expired
    monkeypatch.setenv("THCE_LEASE_MINUTES", "soon")
    with pytest.raises(FieldError, match="THCE_LEASE_MINUTES"):
        next_case("carol")


def test_stats_by_status_annotator_and_kappa_per_system(store):
    cases = [case_with_prediction(external_id=str(i))[0] for i in range(3)]
    set_min_submitted(2, case_ids=cases[:2])  # double annotation: both coders submit them
    for annotator, decision, codes in (("alice", "accept", None), ("bob", "correct", FIX)):
        save_review(cases[0], annotator, decision, corrected_codes=codes, time_spent_s=30.0)
        save_review(cases[1], annotator, "accept", time_spent_s=10.0)
    save_review(cases[2], "bob", None, status="discarded", discard_reason="duplicate note", time_spent_s=4.0)
    save_review(cases[2], "alice", "accept", status="draft")
    data = stats()
    assert data["by_status"] == {"draft": 1, "submitted": 4, "discarded": 1, "skipped": 0}
    alice, bob = data["by_annotator"]["alice"], data["by_annotator"]["bob"]
    assert (alice["submitted"], alice["draft"], bob["discarded"]) == (2, 1, 1)
    assert bob["median_s_per_review"] == 10.0 and bob["per_hour"] == round(3 * 3600 / 44, 1)
    by_system = data["agreement"]["by_system"]
    assert data["agreement"]["double_reviewed_cases"] == 2
    assert by_system["cpt"]["kappa"] == 1.0 and by_system["cpt"]["cases"] == 2
    assert by_system["icd10cm"]["cases"] == 2 and by_system["icd10cm"]["kappa"] < 1.0
    assert by_system["hcpcs"] == {"kappa": None, "observed": None, "expected": None, "items": 0, "cases": 0,
                                  "mean_jaccard": None}
    team = progress("alice")["team"]
    assert team == {"cases": 3, "complete": 2, "pending": 1, "submissions_done": 4, "submissions_needed": 5}


def test_concurrent_drafts_and_submissions_lose_nothing(store):
    cases = [case_with_prediction(external_id=str(i))[0] for i in range(8)]
    set_min_submitted(4, case_ids=cases)  # all four coders code every case
    errors, done = [], []

    def work(name):
        try:
            for case_id in cases:
                save_review(case_id, name, "accept", status="draft")
                while True:  # a draft takes the case's lease when it is free: wait for the coder before
                    try:
                        done.append(save_review(case_id, name, "correct", corrected_codes=FIX).review_id)
                        break
                    except ConflictError as exc:
                        if "another annotator" not in str(exc):
                            raise
                        time.sleep(0.005)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"coder{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    data = stats()
    assert data["by_status"]["submitted"] == 32 and data["reviews"]["versions"] == 64 and data["preference_pairs"] == 32
    with pytest.raises(ConflictError, match="already reviewed"):
        save_review(cases[0], "coder0", "accept")


def _flags_disagreeing() -> list[int]:
    """Cases whose stored needs_review differs from the exact condition computed from their reviews."""
    from core.store.models import needs_reviews

    with get_session() as session:
        rows = session.exec(select(Case.id, Case.needs_review, needs_reviews())).all()
    return [case_id for case_id, flag, exact in rows if bool(flag) != bool(exact)]


def test_the_queue_flag_follows_every_write_that_changes_who_submitted(store):
    """cases.needs_review narrows the queue's walk to open cases; a stale False would hide a case for good, so
    every write that can change it (submit, draft, skip, discard, an edit, a new min_submitted) keeps it exact."""
    cases = [case_with_prediction(external_id=str(i))[0] for i in range(4)]
    steps = [
        lambda: save_review(cases[0], "alice", "accept"),
        lambda: save_review(cases[1], "alice", "accept", status="draft"),
        lambda: save_review(cases[2], "alice", "skip"),
        lambda: save_review(cases[3], "alice", "skip", status="discarded", discard_reason="illegible"),
        lambda: save_review(cases[1], "alice", "correct", corrected_codes=FIX),  # the draft, submitted
        # alice's accept of case 0 edited into a skip: nobody has submitted it any more
        lambda: save_review(cases[0], "alice", "skip", supersedes_id=_latest(cases[0], "alice")[0].id),
        lambda: set_min_submitted(2, case_ids=[cases[1]]),
        lambda: save_review(cases[1], "bob", "accept"),
        lambda: set_min_submitted(3),
        lambda: set_min_submitted(1),
    ]
    expected_open = [{1, 2, 3}, {1, 2, 3}, {1, 2, 3}, {1, 2, 3}, {2, 3}, {0, 2, 3}, {0, 1, 2, 3}, {0, 2, 3},
                     {0, 1, 2, 3}, {0, 2, 3}]
    for step, should_be_open in zip(steps, expected_open, strict=True):
        step()
        assert _flags_disagreeing() == []
        with get_session() as session:
            flagged = set(session.exec(select(Case.id).where(Case.needs_review == True)).all())  # noqa: E712
        assert flagged == {cases[i] for i in should_be_open}
        assert progress()["team"]["pending"] == len(should_be_open)  # the Review tab's bar counts the flag
    assert next_case("carol").case_id == cases[0]  # reopened by the edit: the queue finds it again


def test_two_edits_of_one_case_at_once_leave_its_queue_flag_right(store, monkeypatch):
    """min_submitted 2, alice and carol submitted. Alice edits hers into a skip while carol edits hers (still
    submitted): one submission is left, so the case must reopen. Alice's write is held open until carol's has
    started; carol's write must then see alice's skip, or her update of the case computes "2 submitted" from
    before it and closes the case for good (PostgreSQL, before the case row was locked first)."""
    import core.store.reviews as reviews_module

    case_id = case_with_prediction()[0]
    set_min_submitted(2, case_ids=[case_id])
    alice = save_review(case_id, "alice", "accept")
    carol = save_review(case_id, "carol", "accept")
    assert _flags_disagreeing() == []
    held, carol_started = threading.Event(), threading.Event()
    original = reviews_module._write_review

    def write(connection, review, pred, chosen):
        if review["annotator"] == "carol":
            carol_started.set()
        saved = original(connection, review, pred, chosen)
        if review["annotator"] == "alice":
            held.wait(10)  # alice's transaction stays open (its writes not committed) until released
        return saved

    monkeypatch.setattr(reviews_module, "_write_review", write)
    errors = []

    def run(*args, **kwargs):
        try:
            save_review(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    first = threading.Thread(target=run, args=(case_id, "alice", "skip"), kwargs={"supersedes_id": alice.review_id})
    second = threading.Thread(target=run, args=(case_id, "carol", "reject"), kwargs={"supersedes_id": carol.review_id})
    first.start()
    time.sleep(0.3)
    second.start()
    carol_started.wait(0.5)  # on SQLite carol waits for the write lock before her write starts
    time.sleep(0.3)  # carol's statements are now waiting for alice's transaction
    held.set()
    first.join(10)
    second.join(10)
    assert not errors, errors
    assert _flags_disagreeing() == []
    assert next_case("dave").case_id == case_id  # reopened: one annotator left who submitted


def test_an_older_database_gains_the_queue_flag_on_either_backend(store):
    """Opening a schema-4 database (no cases.needs_review) adds the column filled from the reviews it holds
    (a submitted case complete; a skipped one, a fresh one and one still waiting for its second coder open),
    and its index, on SQLite and PostgreSQL alike; reviewed cases stay out of the queue."""
    from sqlalchemy import inspect

    from core.store import get_engine, init_db, reset_engine, schema_version
    from core.store.models import QUEUE_INDEX, SCHEMA_VERSION

    done, skipped, fresh, double = (case_with_prediction(external_id=name)[0] for name in "abcd")
    save_review(done, "alice", "accept")
    save_review(skipped, "alice", "skip")
    set_min_submitted(2, case_ids=[double])
    save_review(double, "alice", "accept")
    with get_engine().begin() as connection:
        connection.exec_driver_sql(f"DROP INDEX {QUEUE_INDEX}")
        connection.exec_driver_sql("ALTER TABLE cases DROP COLUMN needs_review")
        connection.exec_driver_sql("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    reset_engine()
    init_db(store)
    assert schema_version() == SCHEMA_VERSION == 5
    with get_session() as session:
        flags = dict(session.exec(select(Case.id, Case.needs_review)).all())
    assert flags == {done: False, skipped: True, fresh: True, double: True}
    assert QUEUE_INDEX in {index["name"] for index in inspect(get_engine()).get_indexes("cases")}
    assert next_case("bob").case_id == skipped  # the first open case; "a" stays out of the queue


def test_refresh_queue_repairs_flags_after_a_hand_edit(store, monkeypatch):
    """A review deleted outside THCE leaves its case flagged complete (out of the queue); `thce annotations
    refresh-queue` recomputes the flags from the reviews and the case comes back."""
    from sqlalchemy import delete
    from typer.testing import CliRunner

    from core.cli import app
    from core.store import refresh_queue

    first, second = (case_with_prediction(external_id=name)[0] for name in "ab")
    save_review(first, "alice", "accept")
    save_review(second, "alice", "accept")
    assert refresh_queue() == 0
    run_write(lambda s: s.execute(delete(Review).where(Review.case_id == first)))  # by hand, outside THCE
    assert next_case("bob") is None  # the stale flag hides the case
    monkeypatch.setenv("DATABASE_URL", store)
    result = CliRunner().invoke(app, ["annotations", "refresh-queue"])
    assert result.exit_code == 0 and "1 case(s) had a wrong open/complete flag" in result.output, result.output
    assert next_case("bob").case_id == first and _flags_disagreeing() == []
    result = CliRunner().invoke(app, ["annotations", "refresh-queue"])
    assert "matches its reviews" in result.output
