"""The review queue: hand each annotator an unreviewed case under a lease, so no two hold it at once.

A case is open for `annotator` when it still needs reviews (fewer distinct annotators whose latest review is
*submitted* than its `min_submitted`, stored as `target_reviews`: 1 by default, 2 or more for agreement),
this annotator has not finished it (no latest review of theirs, or only a draft), and its lease is free,
expired, or already theirs. Drafts, discards and skips do not count towards `min_submitted`: a discarded or
skipped case goes to someone else. A lease lasts `default_lease_minutes()` (THCE_LEASE_MINUTES, default 30); an
expired lease returns the case to the queue. The annotator's own leased case and drafts come first.
Claiming is one conditional UPDATE (`... WHERE lease is free`) whose row count says who won, so it is atomic
on SQLite and PostgreSQL alike. The first open cases are found through `cases.needs_review` (indexed with the
id, kept by every write that can change it: core.store.reviews, set_min_submitted), so a claim walks the open
cases only, however many were reviewed before them; every candidate is still checked in full.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, exists, literal, null, or_, true, union_all, update
from sqlalchemy import case as sql_case
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from core.store.db import get_engine, run_sql_write, run_write
from core.store.errors import BusyError, ConflictError, FieldError, NotFoundError, check_text
from core.store.models import (
    LATEST_PREDICTION_ID,
    PREDICTIONS,
    Case,
    Review,
    latest_review_clause,
    needs_reviews,
    reviews_done,
    utcnow,
)
from core.store.records import MAX_ID_CHARS, MAX_NARRATIVE_CHARS, check_codes, optional_name

LEASE_MINUTES = 30
MIN_SUBMITTED = 1
MAX_MIN_SUBMITTED = 20
MAX_ANNOTATOR_CHARS = 100
# Open cases read per claim: more than the writers that can claim between one's read and its write (they all read
# the same first open cases). With 20, 10% of the claims of 20 busy writer processes found every candidate taken
# and ran a second read and write (a third of next_case's CPU again); with 50, 0.2%.
_CANDIDATES = 50
CLAIM_ROUNDS = 10


@dataclass
class QueueItem:
    case_id: int
    external_id: str
    source: str
    split: str | None
    narrative: str
    gold_codes: dict | None
    prediction: dict | None  # id, model_id, codes, reasoning, raw, latency_s, prompt, rule_edits
    lease_expires_at: datetime | None
    second_review: bool  # another annotator already submitted a review of it (agreement)
    min_submitted: int = 1
    submitted: int = 0  # distinct annotators who submitted so far
    draft: dict | None = None  # the annotator's own draft: review_id, decision, corrected_codes, notes


def default_lease_minutes() -> float:
    """Lease length from THCE_LEASE_MINUTES (default LEASE_MINUTES)."""
    value = os.environ.get("THCE_LEASE_MINUTES", "").strip()
    try:
        minutes = float(value) if value else LEASE_MINUTES
    except ValueError:
        raise FieldError(f"THCE_LEASE_MINUTES must be a number of minutes, got {value!r}", "lease_minutes") from None
    if minutes <= 0:
        raise FieldError("THCE_LEASE_MINUTES must be positive", "lease_minutes")
    return minutes


def check_min_submitted(value, field: str = "min_submitted") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MIN_SUBMITTED:
        raise FieldError(f"{field} must be a whole number from 1 to {MAX_MIN_SUBMITTED}, got {value!r}", field)
    return value


def default_min_submitted() -> int:
    """THCE_MIN_SUBMITTED (default 1): how many annotators must submit each new case."""
    value = os.environ.get("THCE_MIN_SUBMITTED", "").strip()
    if not value:
        return MIN_SUBMITTED
    try:
        return check_min_submitted(int(value), "THCE_MIN_SUBMITTED")
    except ValueError:
        raise FieldError(f"THCE_MIN_SUBMITTED must be a whole number, got {value!r}", "THCE_MIN_SUBMITTED") from None


def check_annotator(annotator) -> str:
    return check_text(annotator, "annotator", MAX_ANNOTATOR_CHARS, required=True).strip()


def finished_by(annotator):
    """SQL condition: `annotator`'s latest review of the case is anything but a draft (they are done with it)."""
    return exists().where(Review.case_id == Case.id, Review.annotator == annotator, Review.status != "draft",
                          latest_review_clause())


def _my_draft(annotator):
    return exists().where(Review.case_id == Case.id, Review.annotator == annotator, Review.status == "draft",
                          latest_review_clause())


def _lease_free(annotator, now):
    return or_(Case.lease_annotator.is_(None), Case.lease_expires_at < now, Case.lease_annotator == annotator)


def _queue_order(annotator):
    """Sort key: the annotator's leased case first, then their drafts, then the rest."""
    return sql_case((Case.lease_annotator == annotator, 0), (_my_draft(annotator), 1), else_=2)


# The statements of next_case, get_case and the lease updates, built once with bound parameters (:annotator,
# :now, :case_id, ...): building and hashing them anew for every call cost more CPU than running them.
_ANNOTATOR, _NOW, _CASE_ID, _EXPIRES = (bindparam(name) for name in ("annotator", "now", "case_id", "expires"))
# A case is open for :annotator at :now: lease free, reviews still needed, not finished by them.
_STILL_OPEN = (_lease_free(_ANNOTATOR, _NOW), needs_reviews(), ~finished_by(_ANNOTATOR))
_OWN_DRAFTS = select(Review.case_id).where(Review.annotator == _ANNOTATOR, Review.status == "draft",
                                           latest_review_clause())
# The open cases for :annotator: their leased case and drafts first, then the rest in id order, which SQLite
# walks in that order and leaves at the _CANDIDATES-th (one query sorting by _queue_order looked at them all).
_MINE = (select(Case.id).where(or_(Case.lease_annotator == _ANNOTATOR, Case.id.in_(_OWN_DRAFTS)), *_STILL_OPEN)
         .order_by(_queue_order(_ANNOTATOR), Case.id).limit(_CANDIDATES))
_NEXT_OPEN = select(Case.id).where(Case.needs_review == true(), *_STILL_OPEN).order_by(Case.id).limit(_CANDIDATES)
# Both in one statement (one round trip; _PICK sorts the candidates itself, so their order does not matter).
_OPEN = union_all(select(_MINE.subquery("mine")), select(_NEXT_OPEN.subquery("next_open")))
_PICK = (select(Case.id).where(Case.id.in_(bindparam("ids", expanding=True)), *_STILL_OPEN)
         .order_by(_queue_order(_ANNOTATOR), Case.id).limit(1).with_for_update(skip_locked=True))
_CLAIM = (update(Case).where(Case.id == _CASE_ID, *_STILL_OPEN)
          .values(lease_annotator=_ANNOTATOR, lease_expires_at=_EXPIRES))
_RENEW = (update(Case).where(Case.id == _CASE_ID, _lease_free(_ANNOTATOR, _NOW))
          .values(lease_annotator=_ANNOTATOR, lease_expires_at=_EXPIRES))
# The case's row, locked first in every write that recomputes needs_review, on PostgreSQL: those writes take
# turns per case, and each statement after the lock sees every review of the case committed before (READ
# COMMITTED takes a snapshot per statement). Without it, an UPDATE that waited for another writer's row lock
# recomputes needs_review from the reviews as they were before that writer committed (two edits of one case at
# once closed a case that still needed a review). FOR NO KEY UPDATE: FOR UPDATE also waits on the foreign-key
# checks of inserts that refer to the case. SQLite needs none: BEGIN IMMEDIATE runs one writer at a time.
_LOCK_CASE = select(Case.id).where(Case.id == _CASE_ID).with_for_update(key_share=True)
# What a first submission needs to know of its case, read after that lock (a statement of its own: one that waited
# for the lock would still see the row as it was when it started): is the lease free for :annotator at :now, and
# does the case still need reviews. The needs_review flag is exact here: every write that changes who submitted
# the case updates it in its own transaction, under the same lock (SQLite: one writer at a time), so computing it
# from the reviews again (a subquery per submission inside the write lock) would only cost time.
_CASE_STATE = select(_lease_free(_ANNOTATOR, _NOW).label("free"), Case.needs_review.label("open"),
                     Case.lease_expires_at).where(Case.id == _CASE_ID)
# Recompute :case_id's needs_review from its reviews, in the write transaction that changed them.
REFRESH_NEEDS_REVIEW = update(Case).where(Case.id == _CASE_ID).values(needs_review=needs_reviews())
RELEASE = (update(Case).where(Case.id == _CASE_ID, Case.lease_annotator == _ANNOTATOR)
           .values(lease_annotator=None, lease_expires_at=None))
# RELEASE and REFRESH_NEEDS_REVIEW in one statement (a submitted review's last; one statement less in the lock).
_HELD = Case.lease_annotator == _ANNOTATOR
RELEASE_AND_REFRESH = (update(Case).where(Case.id == _CASE_ID)
                       .values(lease_annotator=sql_case((_HELD, null()), else_=Case.lease_annotator),
                               lease_expires_at=sql_case((_HELD, null()), else_=Case.lease_expires_at),
                               needs_review=needs_reviews()))
_OWN = aliased(Review, name="own_review")
# :annotator's latest review of :case_id (a draft is what they saved last time).
LATEST_OWN_REVIEW = select(Review.__table__).where(Review.case_id == _CASE_ID, Review.annotator == _ANNOTATOR,
                                                    latest_review_clause())
# A case as the queue hands it out, in one query: its columns, `done`, its latest prediction's columns (pred_*)
# and :annotator's latest review of it when that is a draft (draft_*); three queries cost three times the CPU.
_DRAFT_COLUMNS = ("id", "decision", "corrected_codes", "corrected_reasoning", "notes", "created_at")
_CASE_ITEM = (
    select(Case.__table__, reviews_done(Case.id).label("done"),
           *(column.label(f"pred_{column.name}") for column in PREDICTIONS.c),
           *(getattr(_OWN, name).label(f"draft_{name}") for name in _DRAFT_COLUMNS))
    .select_from(Case)
    .outerjoin(PREDICTIONS, PREDICTIONS.c.id == LATEST_PREDICTION_ID)
    .outerjoin(_OWN, and_(_OWN.case_id == Case.id, _OWN.annotator == _ANNOTATOR, _OWN.status == "draft",
                          latest_review_clause(_OWN)))
    .where(Case.id == _CASE_ID)
)


def _queue_item(case) -> QueueItem:
    """`case`: a row of _CASE_ITEM (the case's columns, `done`, pred_* and draft_*)."""
    prediction = None
    if case.pred_id is not None:
        prediction = {"id": case.pred_id, "model_id": case.pred_model_id, "codes": case.pred_codes,
                      "reasoning": case.pred_reasoning, "raw": case.pred_raw_output, "latency_s": case.pred_latency_s,
                      "prompt": case.pred_prompt, "rule_edits": case.pred_rule_edits or []}
    draft = None
    if case.draft_id is not None:
        draft = {"review_id": case.draft_id, "decision": case.draft_decision,
                 "corrected_codes": case.draft_corrected_codes, "notes": case.draft_notes,
                 "corrected_reasoning": case.draft_corrected_reasoning,
                 "saved_at": case.draft_created_at.isoformat(timespec="seconds")}
    return QueueItem(case_id=case.id, external_id=case.external_id, source=case.source, split=case.split,
                     narrative=case.narrative, gold_codes=case.gold_codes, prediction=prediction,
                     lease_expires_at=case.lease_expires_at, second_review=case.done >= 1,
                     min_submitted=case.target_reviews, submitted=case.done, draft=draft)


def _claim(connection: Connection, case_ids: list[int], annotator: str, lease_minutes: float) -> int | None:
    """Lease the first of `case_ids` still open for `annotator`; the case id won, or None when all were taken.

    One SELECT picks the first candidate that is still open (rows another writer has locked are skipped on
    PostgreSQL), then one conditional UPDATE claims it, so the write section is two statements however many
    candidates other writers took meanwhile. On SQLite the transaction holds the write lock (BEGIN IMMEDIATE),
    so the UPDATE always wins. On PostgreSQL the SELECT locks the row first and the UPDATE, a new statement,
    re-checks the conditions after any writer that held it has committed (its review included); a conditional
    UPDATE alone re-checks the row but not its subqueries, which once handed a case to two writers."""
    now = utcnow()
    params = {"annotator": annotator, "now": now, "expires": now + timedelta(minutes=lease_minutes)}
    remaining = list(case_ids)
    while remaining:
        pick = connection.execute(_PICK, {**params, "ids": remaining}).scalar()
        if pick is None:
            return None
        if connection.execute(_CLAIM, {**params, "case_id": pick}).rowcount == 1:
            return pick
        remaining.remove(pick)  # PostgreSQL: reviewed by the writer whose commit we waited for
    return None


def _open_cases(annotator: str) -> list[int]:
    """Up to 2 x _CANDIDATES ids of open cases for `annotator`, theirs first, read without a lock."""
    params = {"annotator": annotator, "now": utcnow()}
    with get_engine().connect() as connection:
        return list(dict.fromkeys(connection.execute(_OPEN, params).scalars()))


def next_case(annotator: str, *, lease_minutes: float | None = None) -> QueueItem | None:
    """Lease the next open case to `annotator` (their current lease first, then their drafts); None when
    nothing is open. `lease_minutes`: default THCE_LEASE_MINUTES, else LEASE_MINUTES.

    The open cases are looked up in a read transaction (no lock held); the write transaction only re-checks
    and claims one row, so it stays short when many annotators (or processes) take cases at once."""
    annotator = check_annotator(annotator)
    minutes = lease_minutes if lease_minutes is not None else default_lease_minutes()
    for _ in range(CLAIM_ROUNDS):
        candidates = _open_cases(annotator)
        if not candidates:
            return None
        won = run_sql_write(lambda connection, ids=candidates: _claim(connection, ids, annotator, minutes))
        if won is not None:
            return get_case(won, annotator)
        # every candidate was taken by someone else meanwhile: look again
    raise BusyError(f"every open case was taken by other annotators {CLAIM_ROUNDS} times in a row; try again")


def release_lease(case_id: int, annotator: str) -> bool:
    """Give a leased case back to the queue; False when `annotator` did not hold it."""
    params = {"case_id": case_id, "annotator": check_annotator(annotator)}
    return run_sql_write(lambda connection: connection.execute(RELEASE, params).rowcount == 1)


def add_case(narrative: str, *, source: str = "webapp", external_id: str | None = None,
             split: str | None = None, gold_codes: dict | None = None, created_by: str | None = None,
             min_submitted: int | None = None) -> int:
    """Store one narrative typed into the app (so its prediction and reviews can refer to it).
    `min_submitted`: annotators who must submit it (default THCE_MIN_SUBMITTED, else 1)."""
    narrative = check_text(narrative, "narrative", MAX_NARRATIVE_CHARS, required=True)
    external_id = check_text(external_id or uuid.uuid4().hex, "external_id", MAX_ID_CHARS, required=True)
    source = optional_name(source, "source") or "webapp"
    codes = None if gold_codes is None else check_codes(gold_codes, "gold_codes")
    created_by = None if created_by is None else check_annotator(created_by)
    needed = default_min_submitted() if min_submitted is None else check_min_submitted(min_submitted)
    case = Case(external_id=external_id, narrative=narrative, source=source, split=split, gold_codes=codes,
                created_by=created_by, target_reviews=needed)

    def write(session: Session) -> int:
        session.add(case)
        session.flush()
        return case.id

    try:
        return run_write(write)
    except IntegrityError:
        raise ConflictError(f"a case with source {source!r} and id {external_id!r} already exists",
                            "external_id") from None


def get_case(case_id: int, annotator: str | None = None) -> QueueItem:
    """A case with its latest prediction (no lease taken), and `annotator`'s draft of it when there is one."""
    with get_engine().connect() as connection:
        case = connection.execute(_CASE_ITEM, {"case_id": case_id, "annotator": annotator}).first()
    if case is None:
        raise NotFoundError(f"case_id {case_id} does not exist", "case_id")
    return _queue_item(case)


def lock_case(connection: Connection, case_id: int, annotator: str):
    """Inside a review's write: the case's row lock (_LOCK_CASE, on PostgreSQL; SQLite's BEGIN IMMEDIATE already
    runs one writer at a time), then its state for `annotator`: a row (free: the lease is free or theirs, open:
    reviews still needed, lease_expires_at), or None when the case does not exist."""
    if connection.dialect.name != "sqlite":
        connection.execute(_LOCK_CASE, {"case_id": case_id})
    return connection.execute(_CASE_STATE, {"case_id": case_id, "annotator": annotator, "now": utcnow()}).first()


def _lock_cases(session: Session, *where) -> None:
    """The row lock of _LOCK_CASE for every case matching `where` (all by default), before a bulk UPDATE
    recomputes their needs_review."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(Case.id).where(*where).with_for_update(key_share=True))


def set_min_submitted(min_submitted: int, *, case_ids: list[int] | None = None, source: str | None = None) -> int:
    """Set how many annotators must submit the given cases (all cases of `source`, or every case when both are
    None); returns how many cases changed. Cases already complete reopen when the number grows."""
    needed = check_min_submitted(min_submitted)
    which = []
    if case_ids is not None:
        which.append(Case.id.in_([int(i) for i in case_ids]))
    if source is not None:
        which.append(Case.source == source)
    query = (update(Case).where(*which).values(target_reviews=needed, needs_review=needs_reviews(literal(needed)))
             .execution_options(synchronize_session=False))

    def write(session: Session) -> int:
        _lock_cases(session, *which)
        return session.execute(query).rowcount

    return run_write(write)


def refresh_queue() -> int:
    """Recompute every case's needs_review from its reviews; returns how many were wrong. THCE's own writes keep
    the flags right: this is for a database edited by hand (reviews deleted or changed outside THCE), where a
    flag left False would keep an open case out of the queue for good."""
    exact = needs_reviews()
    query = (update(Case).where(Case.needs_review.is_distinct_from(exact)).values(needs_review=exact)
             .execution_options(synchronize_session=False))

    def write(session: Session) -> int:
        _lock_cases(session)
        return session.execute(query).rowcount

    return run_write(write)


def renew_lease(connection: Connection, case_id: int, annotator: str, minutes: float | None = None) -> bool:
    """Inside a write: extend `annotator`'s lease on the case (or take it when it is free); False when someone
    else holds it."""
    now = utcnow()
    expires = now + timedelta(minutes=minutes if minutes is not None else default_lease_minutes())
    params = {"case_id": case_id, "annotator": annotator, "now": now, "expires": expires}
    return connection.execute(_RENEW, params).rowcount == 1
