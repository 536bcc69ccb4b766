"""The review workflow: the next task of an annotator (with a model prediction), the corrected-codes text,
submitting a verdict, setting a case aside, the annotator's history. (Storage is core.store.reviews.)

Plain functions over `core.store` (no UI): the Review tab's callbacks are a few lines that call these.

    task = next_task("alice", default_coder())       # leases a case; runs the model if it has no prediction
    parsed = parse_codes_text("E11.65, 99214\\nJ3420")  # per-system lists + problems
    saved = submit_review(task.case_id, "alice", "correct", "E11.65 83036", prediction_id=task.prediction_id)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import select

from core.constants import system_of
from core.prompts import SYSTEMS, empty_codes
from core.store import (
    ConflictError,
    FieldError,
    NotFoundError,
    SavedReview,
    add_case,
    get_case,
    get_session,
    next_case,
    save_prediction,
    save_review,
)
from core.store.models import Case, Prediction, Review, latest_review_clause

logger = logging.getLogger(__name__)

Coder = Callable[[str], dict]  # narrative -> CodingResult.to_dict()
HISTORY_COLUMNS = ["review", "case", "decision", "status", "version", "codes", "notes", "when"]
_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class ReviewTask:
    """A leased case and the model prediction the annotator judges."""

    case_id: int
    external_id: str
    source: str
    narrative: str
    prediction_id: int
    model_id: str
    codes: dict[str, list[str]]
    reasoning: str
    second_review: bool
    rule_edits: list[dict] = field(default_factory=list)  # the coding rules' edits of the prediction
    min_submitted: int = 1
    submitted: int = 0
    draft: dict | None = None  # the annotator's saved draft of this case (decision, corrected_codes, notes)
    edits_review: int | None = None  # the annotator's own submitted review this task edits (open_own_review)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ParsedCodes:
    codes: dict[str, list[str]] = field(default_factory=empty_codes)
    problems: list[str] = field(default_factory=list)  # one sentence per unusable code

    @property
    def ok(self) -> bool:
        return not self.problems


def default_coder(model: str | None = None, constrain: str = "valid") -> Coder:
    """A coder running the pipeline of `model` (None: the shipped default)."""

    def code(narrative: str) -> dict:
        from core.pipeline import get_pipeline

        return get_pipeline(model, constrain=constrain).code(narrative).to_dict()

    return code


def _task(item) -> ReviewTask:
    pred = item.prediction
    return ReviewTask(case_id=item.case_id, external_id=item.external_id, source=item.source,
                      narrative=item.narrative, prediction_id=pred["id"], model_id=pred["model_id"],
                      codes={s: list(pred["codes"].get(s, [])) for s in SYSTEMS}, reasoning=pred["reasoning"],
                      second_review=item.second_review, rule_edits=list(pred.get("rule_edits") or []),
                      min_submitted=item.min_submitted, submitted=item.submitted, draft=item.draft)


def next_task(annotator: str, coder: Coder | None = None) -> ReviewTask | None:
    """Lease the next case to `annotator`; a case without a prediction is coded now and the result stored."""
    item = next_case(annotator)
    if item is None:
        return None
    if item.prediction is None:
        result = (coder or default_coder())(item.narrative)
        save_prediction(item.case_id, result, requested_by=annotator)
        logger.info("stored a new prediction for case %d", item.case_id)
        item = get_case(item.case_id, annotator)
    return _task(item)


def open_own_review(review_id: int, annotator: str) -> ReviewTask:
    """A task to edit `annotator`'s own finished review (submitted, skipped or discarded): the case and the
    prediction the review judged, with the review's decision, codes, reasoning and notes loaded (as a draft's
    are). Storing it again (submit_rows, set_aside, submit_review) supersedes the review with a new version; no
    lease is taken (an annotator may always edit their own review). NotFoundError / ConflictError / FieldError
    with what to do instead."""
    with get_session() as session:
        review = session.get(Review, int(review_id))
        if review is None:
            raise NotFoundError(f"review {review_id} does not exist", "review_id")
        if review.annotator != annotator:
            raise ConflictError(f"review {review_id} is another annotator's: you can edit your own reviews only",
                                "review_id")
        latest = session.exec(select(Review).where(Review.case_id == review.case_id, Review.annotator == annotator,
                                                   latest_review_clause())).first()
        if latest is not None and latest.id != review.id:
            raise ConflictError(f"review {review_id} was edited since: edit its latest version, review {latest.id}",
                                "review_id")
        if review.status == "draft":
            raise ConflictError(f"review {review_id} is a draft: Next case brings its case back to you", "review_id")
        prediction = session.get(Prediction, review.prediction_id) if review.prediction_id is not None else None
        case = session.get(Case, review.case_id)
    if prediction is None:
        raise FieldError(f"case {review.case_id} has no model prediction to review", "prediction_id")
    item = get_case(review.case_id, annotator)
    saved = {"review_id": review.id, "decision": review.decision, "corrected_codes": review.corrected_codes,
             "corrected_reasoning": review.corrected_reasoning, "notes": review.notes,
             "saved_at": review.created_at.isoformat(timespec="seconds"), "status": review.status}
    return ReviewTask(case_id=case.id, external_id=case.external_id, source=case.source, narrative=case.narrative,
                      prediction_id=prediction.id, model_id=prediction.model_id,
                      codes={s: list((prediction.codes or {}).get(s, [])) for s in SYSTEMS},
                      reasoning=prediction.reasoning,
                      second_review=item.submitted - (review.status == "submitted") >= 1,  # someone else submitted
                      rule_edits=list(prediction.rule_edits or []), min_submitted=item.min_submitted,
                      submitted=item.submitted, draft=saved, edits_review=review.id)


def queue_for_review(narrative: str, submitted_by: str, coder: Coder | None = None) -> tuple[int, int | None]:
    """Queue a narrative for review and code it on the server; (case_id, prediction_id).

    Clients send narratives only: the prediction (prompt and model output, later the DPO `prompt` and
    `rejected`) is always made here. When coding fails the case stays queued without a prediction, and
    `next_task` codes it when an annotator opens it (prediction_id None)."""
    case_id = add_case(narrative, source="webapp", created_by=submitted_by)
    try:
        result = (coder or default_coder())(narrative)
    except (ValueError, RuntimeError) as exc:
        logger.warning("case %d queued without a prediction: coding failed (%s)", case_id, type(exc).__name__)
        return case_id, None
    return case_id, save_prediction(case_id, result, requested_by=submitted_by)


def _split_entry(token: str) -> tuple[str | None, str]:
    prefix, sep, code = token.partition(":")
    if sep and system_of(prefix):
        return system_of(prefix), code
    return None, token


def parse_codes_text(text: str, codeset=None) -> ParsedCodes:
    """Codes separated by commas, spaces or new lines (optionally `cpt:99214`) -> per-system lists.

    Each code is validated; anything not a valid billable code becomes a problem sentence.
    """
    if codeset is None:
        from core.codes import get_codeset

        codeset = get_codeset()
    parsed = ParsedCodes()
    for token in (t for t in _SPLIT.split(text or "") if t):
        system, code = _split_entry(token)
        check = codeset.validate(code, system)
        if not check.ok:
            hint = f" (billable: {', '.join(check.suggestions[:5])})" if check.suggestions else ""
            parsed.problems.append(f"{token}: {check.message}{hint}")
        elif check.normalized not in parsed.codes[check.system]:
            parsed.codes[check.system].append(check.normalized)
    return parsed


def codes_to_text(codes: dict[str, list[str]] | None) -> str:
    """One code per line, systems in the usual order (the editable form of a code set)."""
    return "\n".join(code for system in SYSTEMS for code in (codes or {}).get(system, []))


def code_rows(codes: dict[str, list[str]] | None, codeset=None) -> list[list]:
    """Rows [system, code, description] of a code set (what the model answered)."""
    if codeset is None:
        from core.codes import get_codeset

        codeset = get_codeset()
    return [[system, code, codeset.describe(code)] for system in SYSTEMS for code in (codes or {}).get(system, [])]


def add_code_to_text(text: str, code: str) -> str:
    """Append `code` to the corrected-codes text unless it is already there."""
    present = {t.upper() for t in _SPLIT.split(text or "") if t}
    code = (code or "").strip()
    if not code or code.upper() in present:
        return text or ""
    return ((text or "").rstrip() + "\n" + code).lstrip("\n")


def submit_review(case_id: int, annotator: str, decision: str, codes_text: str = "", reasoning: str = "",
                  notes: str = "", *, prediction_id: int | None = None, model_reasoning: str | None = None,
                  time_spent_s: float | None = None, status: str | None = None,
                  supersedes_id: int | None = None) -> SavedReview:
    """Store a verdict (`supersedes_id`: the annotator's own review it edits). Only 'correct' takes codes text
    and reasoning (a reasoning equal to the model's counts as not edited); codes or reasoning sent with another
    decision are refused, never dropped; a correction whose text has unusable codes is refused with all of them
    named."""
    codes, corrected_reasoning = None, None
    if decision != "correct" and ((codes_text or "").strip() or (reasoning or "").strip()):
        field = "corrected_codes" if (codes_text or "").strip() else "corrected_reasoning"
        raise FieldError(f"{field} only goes with decision 'correct', not {decision!r}: send 'correct' with the "
                         "codes you want, or leave it empty", field)
    if decision == "correct":
        parsed = parse_codes_text(codes_text)
        if not parsed.ok:
            raise FieldError("corrected_codes: " + "; ".join(parsed.problems), "corrected_codes")
        codes = parsed.codes
        edited = (reasoning or "").strip()
        if edited and edited != (model_reasoning or "").strip():
            corrected_reasoning = edited
    return save_review(case_id, annotator, decision, prediction_id=prediction_id, corrected_codes=codes,
                       corrected_reasoning=corrected_reasoning, notes=notes or "", time_spent_s=time_spent_s,
                       status=status, supersedes_id=supersedes_id)


def submit_rows(task: dict, annotator: str, rows: list[dict], *, status: str = "submitted", reasoning: str = "",
                notes: str = "", time_spent_s: float | None = None) -> SavedReview:
    """Store the per-code review of `task` (ReviewTask.to_dict()): kept codes equal to the model's -> accept,
    otherwise a correction with the kept codes. `status` "draft" saves without submitting. A reasoning equal
    to the model's counts as not edited."""
    from core.review_codes import verdict

    decision, codes = verdict(rows, task.get("codes"))
    edited = (reasoning or "").strip()
    edited = edited if edited and edited != (task.get("reasoning") or "").strip() else None
    if decision == "accept" and edited:
        decision = "correct"  # same codes, better reasoning: still a correction (a preference pair); a draft keeps it
    if decision == "correct" and status == "submitted" and not any(codes.values()):
        raise FieldError("corrected_codes: every code is dropped; add the right code, or reject the output "
                         "(or discard the case when it cannot be coded)", "corrected_codes")
    return save_review(task["case_id"], annotator, decision, prediction_id=task.get("prediction_id"),
                       corrected_codes=codes if decision == "correct" else None,
                       corrected_reasoning=edited if decision == "correct" else None, notes=notes or "",
                       time_spent_s=time_spent_s, status=status, supersedes_id=_edited(task, status))


def _edited(task: dict, status: str | None) -> int | None:
    """The review a store of `task` supersedes: the one being edited (open_own_review); a finished review is
    edited by finishing it again, never into a draft (that would take the case's submission back quietly)."""
    edits = task.get("edits_review")
    if edits is not None and status == "draft":
        raise FieldError(f"review {edits} is being edited: submit, accept, reject, skip or discard it again; "
                         "drafts are for cases from the queue", "status")
    return edits


def set_aside(task: dict, annotator: str, status: str, reason: str = "", notes: str = "",
              time_spent_s: float | None = None) -> SavedReview:
    """Skip the case (status "skipped") or discard it ("discarded", with the reason it cannot be coded)."""
    return save_review(task["case_id"], annotator, "skip", prediction_id=task.get("prediction_id"), notes=notes or "",
                       time_spent_s=time_spent_s, status=status, discard_reason=reason or None,
                       supersedes_id=_edited(task, status))


def my_reviews(annotator: str, limit: int = 100) -> list[list]:
    """The annotator's latest reviews, newest first, as table rows (HISTORY_COLUMNS)."""
    query = (select(Review, Case.external_id).join(Case, Review.case_id == Case.id)
             .where(Review.annotator == annotator, latest_review_clause())
             .order_by(Review.id.desc()).limit(limit))
    with get_session() as session:
        rows = session.exec(query).all()
    return [[review.id, external_id, review.decision, review.status, review.version,
             ", ".join(c for s in SYSTEMS for c in (review.corrected_codes or {}).get(s, [])),
             (review.discard_reason or review.notes or "")[:80], review.created_at.strftime("%Y-%m-%d %H:%M")]
            for review, external_id in rows]
