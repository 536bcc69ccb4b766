"""The review queue: hand each annotator an unreviewed case under a lease, so no two hold it at once.

A case is open for `annotator` when it still needs reviews (fewer distinct annotators with a non-skip
latest review than its `target_reviews`: 1, or 2 for the double-annotation share), this annotator has not
reviewed it yet, and its lease is free, expired, or already theirs. Claiming is one conditional UPDATE
(`... WHERE lease is free`) whose row count says who won, so it is atomic on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case as sql_case
from sqlalchemy import exists, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.store.db import get_session, run_write
from core.store.errors import BusyError, ConflictError, NotFoundError, check_text
from core.store.models import Case, Prediction, Review, latest_review_clause, utcnow
from core.store.records import MAX_ID_CHARS, MAX_NARRATIVE_CHARS, check_codes, optional_name

LEASE_MINUTES = 30
MAX_ANNOTATOR_CHARS = 100
_CANDIDATES = 20
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
    second_review: bool  # another annotator already reviewed it (double annotation)


def check_annotator(annotator) -> str:
    return check_text(annotator, "annotator", MAX_ANNOTATOR_CHARS, required=True).strip()


def reviews_done(case_id_column) -> object:
    """Scalar subquery: distinct annotators whose latest review of the case is not a skip."""
    return (
        select(func.count(func.distinct(Review.annotator)))
        .where(Review.case_id == case_id_column, Review.decision != "skip", latest_review_clause())
        .scalar_subquery()
    )


def _lease_free(annotator: str, now: datetime):
    return or_(Case.lease_annotator.is_(None), Case.lease_expires_at < now, Case.lease_annotator == annotator)


def _open_cases(annotator: str, now: datetime):
    mine = exists().where(Review.case_id == Case.id, Review.annotator == annotator)
    held_first = sql_case((Case.lease_annotator == annotator, 0), else_=1)
    return (
        select(Case.id)
        .where(_lease_free(annotator, now), reviews_done(Case.id) < Case.target_reviews, ~mine)
        .order_by(held_first, Case.id)
        .limit(_CANDIDATES)
    )


def latest_prediction(session: Session, case_id: int) -> Prediction | None:
    query = select(Prediction).where(Prediction.case_id == case_id).order_by(Prediction.id.desc()).limit(1)
    return session.exec(query).first()


def prediction_view(pred: Prediction | None) -> dict | None:
    if pred is None:
        return None
    return {"id": pred.id, "model_id": pred.model_id, "codes": pred.codes, "reasoning": pred.reasoning,
            "raw": pred.raw_output, "latency_s": pred.latency_s, "prompt": pred.prompt,
            "rule_edits": pred.rule_edits or []}


def _queue_item(session: Session, case: Case) -> QueueItem:
    done = session.exec(select(reviews_done(case.id))).one()
    return QueueItem(case_id=case.id, external_id=case.external_id, source=case.source, split=case.split,
                     narrative=case.narrative, gold_codes=case.gold_codes,
                     prediction=prediction_view(latest_prediction(session, case.id)),
                     lease_expires_at=case.lease_expires_at, second_review=done >= 1)


def _claim(session: Session, case_ids: list[int], annotator: str, lease_minutes: float) -> int | None:
    """Lease the first of `case_ids` still open for `annotator`; the case id won, or None when all were taken.

    One SELECT picks the first candidate that is still open (rows another writer has locked are skipped on
    PostgreSQL), then one conditional UPDATE claims it, so the write section is two statements however many
    candidates other writers took meanwhile. On SQLite the transaction holds the write lock (BEGIN IMMEDIATE),
    so the UPDATE always wins. On PostgreSQL the SELECT locks the row first and the UPDATE, a new statement,
    re-checks the conditions after any writer that held it has committed (its review included); a conditional
    UPDATE alone re-checks the row but not its subqueries, which once handed a case to two writers."""
    now = utcnow()
    expires = now + timedelta(minutes=lease_minutes)
    mine = exists().where(Review.case_id == Case.id, Review.annotator == annotator)
    still_open = (_lease_free(annotator, now), reviews_done(Case.id) < Case.target_reviews, ~mine)
    held_first = sql_case((Case.lease_annotator == annotator, 0), else_=1)
    remaining = list(case_ids)
    while remaining:
        pick = session.execute(select(Case.id).where(Case.id.in_(remaining), *still_open)
                               .order_by(held_first, Case.id).limit(1)
                               .with_for_update(skip_locked=True)).scalar()
        if pick is None:
            return None
        claim = (update(Case).where(Case.id == pick, *still_open)
                 .values(lease_annotator=annotator, lease_expires_at=expires)
                 .execution_options(synchronize_session=False))
        if session.execute(claim).rowcount == 1:
            return pick
        remaining.remove(pick)  # PostgreSQL: reviewed by the writer whose commit we waited for
    return None


def next_case(annotator: str, *, lease_minutes: float = LEASE_MINUTES) -> QueueItem | None:
    """Lease the next open case to `annotator` (their current lease first); None when nothing is open.

    The open cases are looked up in a read transaction (no lock held); the write transaction only re-checks
    and claims one row, so it stays short when many annotators (or processes) take cases at once."""
    annotator = check_annotator(annotator)
    for _ in range(CLAIM_ROUNDS):
        with get_session() as session:
            candidates = list(session.exec(_open_cases(annotator, utcnow())).all())
        if not candidates:
            return None
        won = run_write(lambda session, ids=candidates: _claim(session, ids, annotator, lease_minutes))
        if won is not None:
            return get_case(won)
        # every candidate was taken by someone else meanwhile: look again
    raise BusyError(f"every open case was taken by other annotators {CLAIM_ROUNDS} times in a row; try again")


def release_lease(case_id: int, annotator: str) -> bool:
    """Give a leased case back to the queue; False when `annotator` did not hold it."""
    annotator = check_annotator(annotator)
    release = (
        update(Case)
        .where(Case.id == case_id, Case.lease_annotator == annotator)
        .values(lease_annotator=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return run_write(lambda session: session.execute(release).rowcount == 1)


def add_case(narrative: str, *, source: str = "webapp", external_id: str | None = None,
             split: str | None = None, gold_codes: dict | None = None, created_by: str | None = None) -> int:
    """Store one narrative typed into the app (so its prediction and reviews can refer to it)."""
    narrative = check_text(narrative, "narrative", MAX_NARRATIVE_CHARS, required=True)
    external_id = check_text(external_id or uuid.uuid4().hex, "external_id", MAX_ID_CHARS, required=True)
    source = optional_name(source, "source") or "webapp"
    codes = None if gold_codes is None else check_codes(gold_codes, "gold_codes")
    created_by = None if created_by is None else check_annotator(created_by)
    case = Case(external_id=external_id, narrative=narrative, source=source, split=split, gold_codes=codes,
                created_by=created_by)

    def write(session: Session) -> int:
        session.add(case)
        session.flush()
        return case.id

    try:
        return run_write(write)
    except IntegrityError:
        raise ConflictError(f"a case with source {source!r} and id {external_id!r} already exists",
                            "external_id") from None


def get_case(case_id: int) -> QueueItem:
    """A case with its latest prediction (no lease taken)."""
    with get_session() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFoundError(f"case_id {case_id} does not exist", "case_id")
        return _queue_item(session, case)
