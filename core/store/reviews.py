"""Saving predictions and reviews; a correction writes its DPO preference pair in the same transaction.

chosen   = the corrected codes with the annotator's edited reasoning, or a think block rebuilt from the
           corrected codes and their evidence in the stored case's narrative (core.store.chosen): never the
           model's reasoning for codes the annotator removed
rejected = the model's raw output (made by the server: clients cannot write predictions)
prompt   = the prediction's prompt messages (exported verbatim, no reformatting)

Accept, reject and skip create no pair. Everything is checked before the transaction starts (codes
against `core.codes.get_codeset()`), and the review, its pair and the lease release commit together or
not at all. Reviews are append-only: pass `supersedes_id` to store an edit as the next version.

Statuses (models.STATUSES): `submitted` (accept / correct / reject; the default), `draft` (saved work: no pair,
the lease is renewed, not counted anywhere; the next save of the same annotator supersedes it by itself),
`discarded` (the case cannot be coded; a reason is required; decision skip) and `skipped` (decision skip).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from sqlalchemy import Integer, bindparam, func, insert, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.codes import get_codeset
from core.store.chosen import chosen_answer
from core.store.db import get_engine, run_sql_write, run_write
from core.store.errors import CodeError, ConflictError, FieldError, NotFoundError, check_text
from core.store.models import (
    DECISIONS,
    LATEST_PREDICTION_ID,
    PREDICTIONS,
    STATUSES,
    Case,
    Prediction,
    PreferencePair,
    Review,
    latest_review_clause,
)
from core.store.queue import (
    LATEST_OWN_REVIEW,
    REFRESH_NEEDS_REVIEW,
    RELEASE,
    RELEASE_AND_REFRESH,
    check_annotator,
    lock_case,
    renew_lease,
)
from core.store.records import MAX_REASONING_CHARS, check_codes, check_prediction

logger = logging.getLogger(__name__)

MAX_NOTES_CHARS = 20_000
MAX_REASON_CHARS = 2_000
VERDICTS = ("accept", "correct", "reject")  # the decisions of drafts and submitted reviews


# The statements of save_review, built once with bound parameters (see core.store.queue).
# The case's narrative and the prediction judged: :prediction_id, else the case's latest (no row: no such case).
_CASE_AND_PREDICTION = (
    select(Case.narrative, PREDICTIONS)
    .select_from(Case)
    .outerjoin(PREDICTIONS, PREDICTIONS.c.id == func.coalesce(bindparam("prediction_id", type_=Integer),
                                                                 LATEST_PREDICTION_ID))
    .where(Case.id == bindparam("case_id"))
)
# A review that an edit supersedes: whose it is, its version, and whether it is still the latest version.
_SUPERSEDED = (select(Review.case_id, Review.annotator, Review.version, Review.status,
                      latest_review_clause().label("latest"))
               .where(Review.id == bindparam("review_id")))
_INSERT_REVIEW = insert(Review.__table__)
_INSERT_PAIR = insert(PreferencePair.__table__)


@dataclass
class SavedReview:
    review_id: int
    version: int
    pair_id: int | None


def check_correction(corrected_codes, codeset) -> dict[str, list[str]]:
    """Shape-check, validate against the code set and normalize a corrected answer; at least one code."""
    if corrected_codes is None:
        raise FieldError("corrected_codes is required when the decision is 'correct'", "corrected_codes")
    codes = check_codes(corrected_codes, "corrected_codes")
    if not any(codes.values()):
        raise FieldError("corrected_codes is empty: a correction needs at least one code", "corrected_codes")
    normalized: dict[str, list[str]] = {}
    for system, items in codes.items():
        normalized[system] = []
        for index, code in enumerate(items):
            result = codeset.validate(code, system)
            field = f"corrected_codes.{system}[{index}]"
            if not result.ok:
                raise CodeError(f"{field}: {code!r} is not a valid {system} code: {result.message}", field)
            if result.normalized not in normalized[system]:
                normalized[system].append(result.normalized)
    return normalized


def _check_time_spent(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise FieldError("time_spent_s must be a non-negative number of seconds", "time_spent_s")
    return float(value)


def _has_codes(value) -> bool:
    return value is not None and (not isinstance(value, dict) or any(value.values()))


def _next_version(connection: Connection, case_id: int, annotator: str,
                  supersedes_id: int | None) -> tuple[int, int | None, str | None]:
    """(version, supersedes_id, previous status) of a new review: a draft of the same annotator is superseded by
    itself; the previous status is the superseded review's (None for a first review)."""
    if supersedes_id is None:
        existing = connection.execute(LATEST_OWN_REVIEW, {"case_id": case_id, "annotator": annotator}).first()
        if existing is not None and existing.status == "draft":
            return existing.version + 1, existing.id, "draft"
        if existing is not None:
            raise ConflictError(f"{annotator} already reviewed case {case_id} (review {existing.id}); edit that "
                                f"review instead (supersedes_id={existing.id})", "supersedes_id")
        return 1, None, None
    previous = connection.execute(_SUPERSEDED, {"review_id": supersedes_id}).first()
    if previous is None:
        raise NotFoundError(f"supersedes_id {supersedes_id} does not exist", "supersedes_id")
    if previous.case_id != case_id or previous.annotator != annotator:
        raise ConflictError(f"supersedes_id {supersedes_id} is another case's or annotator's review", "supersedes_id")
    if not previous.latest:
        raise ConflictError(f"review {supersedes_id} was already edited; edit its latest version", "supersedes_id")
    return previous.version + 1, supersedes_id, previous.status


def _check_case_open(case_id: int, state, status: str, previous: str | None) -> None:
    """A review that finishes a case (submitted, skipped, discarded) needs the case, its lease free or theirs and
    reviews still needed, unless it edits the annotator's own finished review without adding a submission (a
    submitted review edited, or a skip turned into a discard). Drafts are always stored (no work is lost; they
    change no count); a skip or discard turned into a submission counts as a new one (the quota holds)."""
    if state is None:
        raise NotFoundError(f"case_id {case_id} does not exist", "case_id")
    if status == "draft" or previous == "submitted" or (previous in ("skipped", "discarded") and status != "submitted"):
        return
    if not state.free:
        until = state.lease_expires_at.strftime("%H:%M UTC") if state.lease_expires_at else "later"
        raise ConflictError(f"case {case_id} is being reviewed by another annotator (their lease runs until "
                            f"{until}); nothing was stored: save it as a draft or take the next case", "case_id")
    if not state.open:
        raise ConflictError(f"case {case_id} needs no more reviews (enough annotators submitted it); nothing was "
                            "stored", "case_id")


def _read_prediction(case_id: int, prediction_id: int | None) -> tuple[str, Row | None]:
    """(the case's narrative, the prediction a review judges: the given one, else the case's latest), in one
    query before the write transaction starts: predictions are never changed once stored, so the write lock is
    held only for the writes. NotFoundError when the case or the given prediction does not exist."""
    with get_engine().connect() as connection:
        row = connection.execute(_CASE_AND_PREDICTION, {"case_id": case_id, "prediction_id": prediction_id}).first()
    if row is None:
        raise NotFoundError(f"case_id {case_id} does not exist", "case_id")
    if row.id is None and prediction_id is not None:
        raise NotFoundError(f"prediction_id {prediction_id} does not exist", "prediction_id")
    if row.id is not None and row.case_id != case_id:
        raise FieldError(f"prediction_id {prediction_id} belongs to another case", "prediction_id")
    return row.narrative, (row if row.id is not None else None)


def _make_pair(review: dict, pred: Row, chosen: str) -> dict:
    return {"review_id": review["id"], "case_id": review["case_id"], "prompt": pred.prompt, "chosen": chosen,
            "rejected": pred.raw_output, "annotator": review["annotator"], "model_id": pred.model_id}


def _write_review(connection: Connection, review: dict, pred: Row | None, chosen: str | None) -> SavedReview:
    """The write section: version check, the review, its pair (a submitted correction), the lease release (or,
    for a draft, its renewal) together with the case's needs_review flag when the review can change it: four
    statements (five for an edited draft), and on PostgreSQL first the case row's lock. `review`: the reviews
    row's values (id and version added here)."""
    case_id, annotator = review["case_id"], review["annotator"]
    state = lock_case(connection, case_id, annotator)
    review["version"], review["supersedes_id"], previous = _next_version(connection, case_id, annotator,
                                                                         review["supersedes_id"])
    _check_case_open(case_id, state, review["status"], previous)
    review["id"] = connection.execute(_INSERT_REVIEW, review).inserted_primary_key[0]
    pair_id = None
    if review["decision"] == "correct" and review["status"] == "submitted":
        pair_id = connection.execute(_INSERT_PAIR, _make_pair(review, pred, chosen)).inserted_primary_key[0]
    params = {"case_id": case_id, "annotator": annotator}
    # a submission, or an edit of any review, may change who submitted the case: its needs_review follows
    refresh = review["status"] == "submitted" or review["supersedes_id"] is not None
    if review["status"] == "draft":
        renew_lease(connection, case_id, annotator)  # keep working on it (unless someone took it)
        if refresh:
            connection.execute(REFRESH_NEEDS_REVIEW, params)
    else:
        connection.execute(RELEASE_AND_REFRESH if refresh else RELEASE, params)
    return SavedReview(review_id=review["id"], version=review["version"], pair_id=pair_id)


def check_status(decision: str | None, status: str | None, discard_reason: str | None) -> tuple[str, str, str | None]:
    """(decision, status, discard reason) checked together; status defaults from the decision."""
    if status is None:
        status = "skipped" if decision == "skip" else "submitted"
    if status not in STATUSES:
        raise FieldError(f"status must be one of {', '.join(STATUSES)}, got {status!r}", "status")
    if status in ("discarded", "skipped"):
        decision = decision or "skip"
        if decision != "skip":
            raise FieldError(f"a {status} review has decision 'skip', got {decision!r}", "decision")
    elif decision not in VERDICTS:
        raise FieldError(f"decision must be one of {', '.join(VERDICTS)} for a {status} review (or skip), "
                         f"got {decision!r}", "decision")
    reason = check_text(discard_reason, "discard_reason", MAX_REASON_CHARS).strip() or None
    if status == "discarded" and reason is None:
        raise FieldError("discard_reason is required to discard a case (why it cannot be coded)", "discard_reason")
    if status != "discarded" and reason is not None:
        raise FieldError(f"discard_reason only goes with status 'discarded', not {status!r}", "discard_reason")
    return decision, status, reason


def check_draft_codes(corrected_codes, codeset) -> dict[str, list[str]] | None:
    """A draft's codes: validated like a correction's, but an empty list is fine (work in progress)."""
    if corrected_codes is None or not _has_codes(corrected_codes):
        return None if corrected_codes is None else check_codes(corrected_codes, "corrected_codes")
    return check_correction(corrected_codes, codeset)


def _review_codes(decision: str, status: str, corrected_codes, reasoning: str | None, codeset) -> dict | None:
    """A review's corrected codes, validated: None unless the decision is 'correct' (nothing else may carry
    codes or reasoning)."""
    if decision != "correct":
        if _has_codes(corrected_codes) or reasoning:
            field = "corrected_codes" if _has_codes(corrected_codes) else "corrected_reasoning"
            raise FieldError(f"{field} only goes with decision 'correct', not {decision!r}", field)
        return None
    if status == "draft":
        return check_draft_codes(corrected_codes, codeset)
    return check_correction(corrected_codes, codeset)


def save_review(case_id: int, annotator: str, decision: str | None, *, prediction_id: int | None = None,
                corrected_codes: dict | None = None, corrected_reasoning: str | None = None, notes: str = "",
                time_spent_s: float | None = None, supersedes_id: int | None = None, codeset=None,
                status: str | None = None, discard_reason: str | None = None) -> SavedReview:
    """Store one review (and, for a submitted correction, its preference pair) atomically; retries while locked."""
    annotator = check_annotator(annotator)
    if decision is not None and decision not in DECISIONS:
        raise FieldError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}", "decision")
    decision, status, reason = check_status(decision, status, discard_reason)
    notes = check_text(notes, "notes", MAX_NOTES_CHARS)
    reasoning = check_text(corrected_reasoning, "corrected_reasoning", MAX_REASONING_CHARS) or None
    time_spent_s = _check_time_spent(time_spent_s)
    if decision == "correct" and codeset is None:
        codeset = get_codeset()
    codes = _review_codes(decision, status, corrected_codes, reasoning, codeset)
    narrative, pred = _read_prediction(case_id, prediction_id)
    if decision in VERDICTS and pred is None:  # accept / correct / reject judge what the model said
        raise FieldError(f"case {case_id} has no stored model prediction to {decision}: code it first",
                         "prediction_id")
    chosen = None
    if decision == "correct" and status != "draft":  # worked out before the write lock: slow next to a write
        chosen = chosen_answer(narrative, pred.codes, pred.reasoning, codes, reasoning, codeset)
    review = {"case_id": case_id, "prediction_id": pred.id if pred is not None else None, "annotator": annotator,
              "decision": decision, "status": status, "discard_reason": reason, "corrected_codes": codes,
              "corrected_reasoning": reasoning, "notes": notes, "time_spent_s": time_spent_s,
              "supersedes_id": supersedes_id}
    try:
        saved = run_sql_write(lambda connection: _write_review(connection, dict(review), pred, chosen))
    except IntegrityError as exc:  # a concurrent edit superseded the same version first
        raise ConflictError(f"review could not be stored: {exc.orig}", "supersedes_id") from None
    logger.info("review %d v%d (%s, %s) by %s on case %s", saved.review_id, saved.version, status, decision,
                annotator, case_id)
    return saved


def save_prediction(case_id: int, result: dict, *, requested_by: str | None = None) -> int:
    """Store what the model said (CodingResult.to_dict() fields: codes, reasoning, raw, latency_s, model_id,
    prompt). Only server code calls this, with a result it made itself; `requested_by`: whose action asked."""
    pred = check_prediction(result, "result", require_prompt=True)
    requested_by = None if requested_by is None else check_annotator(requested_by)

    def write(session: Session) -> int:
        if session.get(Case, case_id) is None:
            raise NotFoundError(f"case_id {case_id} does not exist", "case_id")
        row = Prediction(case_id=case_id, model_id=pred.model_id, prompt=pred.prompt, raw_output=pred.raw,
                         codes=pred.codes, reasoning=pred.reasoning, latency_s=pred.latency_s,
                         requested_by=requested_by, rule_edits=pred.rule_edits)
        session.add(row)
        session.flush()
        return row.id

    return run_write(write)
