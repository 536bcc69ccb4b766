"""SQLModel tables of the annotation store and the jobs registry.

Portable across SQLite and PostgreSQL: JSON columns use SQLAlchemy's generic JSON type, datetimes are
aware UTC (`utcnow()`), checks are plain CHECK constraints. Reviews are append-only: an edit inserts a
new row with `version + 1` and `supersedes_id` pointing at the row it replaces (unique, so a version can
be superseded once); the latest version of a review is a row nobody supersedes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, CheckConstraint, Column, Index, Text, UniqueConstraint, exists, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased
from sqlmodel import Field, SQLModel

SCHEMA_VERSION = 5  # 2: cases.created_by, predictions.requested_by (who; `created_at` says when);
#                     3: predictions.rule_edits (the coding rules' edits of the answer);
#                     4: reviews.status, reviews.discard_reason (review statuses);
#                     5: cases.needs_review and its index (the queue reads open cases only)
DECISIONS: tuple[str, ...] = ("accept", "correct", "reject", "skip")
# A review's status (Argilla's response statuses plus skipped): a draft is saved work that counts for nothing
# yet; submitted (accept / correct / reject) counts towards the case's `min_submitted`; discarded (the case
# cannot be coded, with a reason) and skipped (not me, not now) hand the case to someone else.
STATUSES: tuple[str, ...] = ("draft", "submitted", "discarded", "skipped")
JOB_STATUSES: tuple[str, ...] = ("starting", "running", "succeeded", "failed", "cancelled", "lost")


def utcnow() -> datetime:
    """Aware UTC now: the one clock of the store (SQLModel stores datetimes as UTC)."""
    return datetime.now(UTC)


def _json_column(nullable: bool = True) -> Column:
    return Column(JSON, nullable=nullable)


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself, e.g. `schema_version`."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


QUEUE_INDEX = "ix_cases_needs_review_id"


class Case(SQLModel, table=True):
    """A narrative waiting for (or having had) review. A lease marks who holds it right now."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_cases_source_external_id"),
                      Index(QUEUE_INDEX, "needs_review", "id"))

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=200)
    narrative: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(default="import", max_length=100, index=True)
    split: str | None = Field(default=None, max_length=100)
    import_batch: str | None = Field(default=None, max_length=64, index=True)
    gold_codes: dict | None = Field(default=None, sa_column=_json_column())
    meta: dict | None = Field(default=None, sa_column=_json_column())
    # min_submitted: how many annotators must submit a review before the case leaves the queue (default 1;
    # 2 or more for agreement, e.g. the double-annotation share of an import)
    target_reviews: int = Field(default=1)
    # False once enough annotators submitted (needs_reviews() below, kept up to date by every write that can change
    # it: a review, a new min_submitted), so the queue walks the open cases only instead of every case reviewed
    # before them (~1 us of CPU each per claim: 6 ms a claim with 4,000 reviewed). The queue still checks
    # needs_reviews() itself; the flag only narrows where it looks.
    needs_review: bool = Field(default=True)
    lease_annotator: str | None = Field(default=None, max_length=100)
    lease_expires_at: datetime | None = Field(default=None)
    created_by: str | None = Field(default=None, max_length=100)  # who queued or imported it
    created_at: datetime = Field(default_factory=utcnow)


class Prediction(SQLModel, table=True):
    """What a model said about a case, with the exact prompt it saw (reused verbatim as the DPO prompt)."""

    __tablename__ = "predictions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    model_id: str = Field(default="", max_length=300)
    prompt: list = Field(sa_column=Column(JSON, nullable=False))
    raw_output: str = Field(sa_column=Column(Text, nullable=False))
    codes: dict = Field(sa_column=Column(JSON, nullable=False))
    reasoning: str = Field(default="", sa_column=Column(Text, nullable=False))
    latency_s: float | None = None
    prompt_rebuilt: bool = False  # True when the import had no prompt and it was rebuilt
    requested_by: str | None = Field(default=None, max_length=100)  # whose action made the server code it
    rule_edits: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # core.rules edits made
    created_at: datetime = Field(default_factory=utcnow)


class Review(SQLModel, table=True):
    """One annotator's verdict on a case (append-only; edits, and a submission after a draft, are new versions).

    decision: accept / correct / reject for drafts and submitted reviews, skip for skipped and discarded ones."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("decision IN ('accept', 'correct', 'reject', 'skip')", name="ck_reviews_decision"),
        CheckConstraint("version >= 1", name="ck_reviews_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    prediction_id: int | None = Field(default=None, foreign_key="predictions.id")
    annotator: str = Field(max_length=100, index=True)
    decision: str = Field(max_length=16)
    status: str = Field(default="submitted", max_length=16)  # STATUSES; checked by core.store.reviews
    discard_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    corrected_codes: dict | None = Field(default=None, sa_column=_json_column())
    corrected_reasoning: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    time_spent_s: float | None = None
    version: int = 1
    supersedes_id: int | None = Field(default=None, foreign_key="reviews.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class PreferencePair(SQLModel, table=True):
    """A DPO pair born from a correction: chosen = corrected answer, rejected = the model's raw output."""

    __tablename__ = "preference_pairs"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="reviews.id", unique=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    prompt: list = Field(sa_column=Column(JSON, nullable=False))
    chosen: str = Field(sa_column=Column(Text, nullable=False))
    rejected: str = Field(sa_column=Column(Text, nullable=False))
    annotator: str = Field(max_length=100)
    model_id: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)


class Job(SQLModel, table=True):
    """A `thce ...` subprocess started by `core.jobs` (training, evaluation, pipelines)."""

    __tablename__ = "jobs"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)
    args: list = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="starting", max_length=16)
    pid: int | None = None
    log_path: str = Field(default="", max_length=1000)
    exit_code: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


# Built once: aliasing a mapped class copies its column collection, which cost ~15 ms of CPU per call (a
# third of save_review and next_case), most of it inside the write lock.
_NEWER_REVIEW = aliased(Review, name="newer_review")
PREDICTIONS = Prediction.__table__
_SAME_CASE = PREDICTIONS.alias("same_case")
# Scalar subquery: the id of the case's latest prediction (correlated with `cases`; NULL when it has none).
LATEST_PREDICTION_ID = select(func.max(_SAME_CASE.c.id)).where(_SAME_CASE.c.case_id == Case.id).scalar_subquery()


def latest_review_clause(review=Review):
    """SQL condition: `review` is the latest version (no other row supersedes it)."""
    return ~exists().where(_NEWER_REVIEW.supersedes_id == review.id)


def reviews_done(case_id_column) -> object:
    """Scalar subquery: distinct annotators whose latest review of the case is submitted."""
    return (
        select(func.count(func.distinct(Review.annotator)))
        .where(Review.case_id == case_id_column, Review.status == "submitted", latest_review_clause())
        .scalar_subquery()
    )


def needs_reviews(target=None):
    """SQL condition: fewer annotators submitted the case than its min_submitted (`target`: another value to
    compare with, e.g. a new min_submitted; default the case's own). For a min_submitted of 1 that is "no
    latest review is submitted": an index lookup, where counting distinct annotators builds a temporary table
    for every case looked at."""
    target = Case.target_reviews if target is None else target
    submitted = exists().where(Review.case_id == Case.id, Review.status == "submitted", latest_review_clause())
    return sql_case((target == 1, ~submitted), else_=reviews_done(Case.id) < target)
