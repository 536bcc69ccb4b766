"""Annotation statistics: the queue, statuses and decisions by annotator and code system, throughput, and
agreement (agreement.py), plus the progress bars of the Review tab (`progress`).

Only the latest version of each review counts. A review's code set: a submitted accept -> the prediction's
codes, a submitted correct -> the corrected codes; reject, drafts, discards and skips -> none. Agreement is
computed over the cases with at least two submitted reviews (the first two), overall and per code system.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import case as sql_case
from sqlalchemy import func, true
from sqlmodel import Session, select

from core.prompts import SYSTEMS
from core.store.agreement import code_set_kappa, kappa_from_labels, mean_jaccard
from core.store.db import get_session
from core.store.models import (
    DECISIONS,
    STATUSES,
    Case,
    Prediction,
    PreferencePair,
    Review,
    latest_review_clause,
    utcnow,
)


def sql_min(a, b):
    """Portable least(a, b) (SQLite's min() with two arguments, PostgreSQL's least())."""
    return sql_case((a < b, a), else_=b)


def review_code_set(decision: str, corrected: dict | None, predicted: dict | None,
                    status: str = "submitted") -> set[str] | None:
    """System-qualified codes a review stands for, or None when it gives no code set."""
    if status != "submitted":
        return None
    source = corrected if decision == "correct" else predicted if decision == "accept" else None
    if source is None:
        return None
    return {f"{system}:{code}" for system in SYSTEMS for code in source.get(system, [])}


# The review columns the statistics read: rows of these (not whole Review objects, whose notes and reasoning
# texts cost most of the time with thousands of reviews).
_REVIEW_COLUMNS = (Review.case_id, Review.annotator, Review.decision, Review.status, Review.corrected_codes,
                   Review.time_spent_s)


def _latest_reviews(session: Session) -> list[tuple]:
    """(review row, the judged prediction's codes) of every latest review version, in id order."""
    query = (
        select(*_REVIEW_COLUMNS, Prediction.codes)
        .join(Prediction, Review.prediction_id == Prediction.id, isouter=True)
        .where(latest_review_clause())
        .order_by(Review.id)
    )
    return [(row, row[-1]) for row in session.exec(query).all()]


def _queue_counts(session: Session, now: datetime) -> dict:
    """Two queries whatever the queue's size: the cases' counts from their own columns (`needs_review` says
    open), and the submissions from one grouped pass over the latest submitted reviews (a subquery per case
    cost ~30 ms with 10,000 cases, on every Review-tab action)."""
    flag = lambda condition: func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)  # noqa: E731
    total, open_, leased, double, needed = session.exec(select(
        func.count(), flag(Case.needs_review == true()), flag(Case.lease_expires_at > now),
        flag(Case.target_reviews > 1), func.coalesce(func.sum(Case.target_reviews), 0)).select_from(Case)).one()
    per_case = (select(Review.case_id, func.count(func.distinct(Review.annotator)).label("submitted"))
                .where(Review.status == "submitted", latest_review_clause()).group_by(Review.case_id).subquery())
    submitted = session.exec(select(func.coalesce(func.sum(sql_min(per_case.c.submitted, Case.target_reviews)), 0))
                             .select_from(per_case.join(Case, Case.id == per_case.c.case_id))).one()
    return {"total": total, "open": int(open_), "done": total - int(open_), "leased": int(leased),
            "double_annotation": int(double), "submissions_needed": int(needed), "submissions_done": int(submitted)}


def _by_system(rows: list[tuple[Review, dict | None]]) -> dict:
    out = {system: {"final_codes": 0, "corrected_reviews": 0} for system in SYSTEMS}
    for review, predicted in rows:
        for code in review_code_set(review.decision, review.corrected_codes, predicted, review.status) or ():
            out[code.split(":", 1)[0]]["final_codes"] += 1
        if review.decision == "correct" and review.status == "submitted":
            for system in SYSTEMS:
                before = set((predicted or {}).get(system, []))
                if set((review.corrected_codes or {}).get(system, [])) != before:
                    out[system]["corrected_reviews"] += 1
    return out


def _empty_annotator() -> dict:
    return {d: 0 for d in DECISIONS} | {s: 0 for s in STATUSES} | {"total": 0, "time_spent_s": 0.0}


def _throughput(entry: dict, times: list[float]) -> dict:
    """Seconds per finished review (median) and finished reviews per hour of review time."""
    times = sorted(times)
    median = None
    if times:
        middle = len(times) // 2
        median = times[middle] if len(times) % 2 else (times[middle - 1] + times[middle]) / 2
    spent = sum(times)
    return entry | {"median_s_per_review": None if median is None else round(median, 2),
                    "per_hour": round(len(times) * 3600 / spent, 1) if spent > 0 else None}


def _by_annotator(rows: list[tuple[Review, dict | None]]) -> dict:
    out: dict[str, dict] = defaultdict(_empty_annotator)
    times: dict[str, list[float]] = defaultdict(list)
    for review, _ in rows:
        entry = out[review.annotator]
        entry[review.decision] += 1
        entry[review.status] += 1
        entry["total"] += 1
        entry["time_spent_s"] = round(entry["time_spent_s"] + (review.time_spent_s or 0.0), 3)
        if review.status != "draft" and review.time_spent_s is not None:
            times[review.annotator].append(review.time_spent_s)
    return {name: _throughput(entry, times[name]) for name, entry in sorted(out.items())}


def _system_kappas(code_pairs: list[tuple[set[str], set[str]]]) -> dict:
    """Code-set kappa per code system (each system's codes only; cases where neither annotator used the system
    add no items)."""
    out = {}
    for system in SYSTEMS:
        prefix = f"{system}:"
        pairs = [({c for c in a if c.startswith(prefix)}, {c for c in b if c.startswith(prefix)}) for a, b in code_pairs]
        used = [(a, b) for a, b in pairs if a or b]
        out[system] = code_set_kappa(used).to_dict() | {"cases": len(used), "mean_jaccard": mean_jaccard(used)}
    return out


def agreement(rows: list[tuple[Review, dict | None]]) -> dict:
    """Decision and code-set agreement between the first two annotators who submitted each case (cases with at
    least two submitted reviews), overall and per code system."""
    per_case: dict[int, list[tuple[Review, dict | None]]] = defaultdict(list)
    for review, predicted in rows:
        if review.status == "submitted" and len(per_case[review.case_id]) < 2:
            per_case[review.case_id].append((review, predicted))
    doubles = [pair for pair in per_case.values() if len(pair) == 2]
    first, second = [pair[0][0] for pair in doubles], [pair[1][0] for pair in doubles]
    decisions = kappa_from_labels([r.decision for r in first], [r.decision for r in second])
    code_pairs = []
    for (a, pred_a), (b, pred_b) in doubles:
        set_a = review_code_set(a.decision, a.corrected_codes, pred_a)
        set_b = review_code_set(b.decision, b.corrected_codes, pred_b)
        if set_a is not None and set_b is not None:
            code_pairs.append((set_a, set_b))
    return {"double_reviewed_cases": len(doubles), "decision": decisions.to_dict(),
            "codes": code_set_kappa(code_pairs).to_dict() | {"cases": len(code_pairs)},
            "mean_jaccard": mean_jaccard(code_pairs), "by_system": _system_kappas(code_pairs)}


def stats() -> dict:
    """Everything `thce annotations stats` shows, as one JSON-ready dict."""
    with get_session() as session:
        rows = _latest_reviews(session)
        queue = _queue_counts(session, utcnow())
        pair_query = (select(func.count()).select_from(PreferencePair)
                      .join(Review, PreferencePair.review_id == Review.id).where(latest_review_clause()))
        pairs = session.exec(pair_query).one()
        versions = session.exec(select(func.count()).select_from(Review)).one()
    decisions = Counter(review.decision for review, _ in rows)
    statuses = Counter(review.status for review, _ in rows)
    return {
        "cases": queue,
        "reviews": {"latest": len(rows), "versions": versions},
        "by_status": {s: statuses.get(s, 0) for s in STATUSES},
        "by_decision": {d: decisions.get(d, 0) for d in DECISIONS},
        "by_annotator": _by_annotator(rows),
        "by_system": _by_system(rows),
        "preference_pairs": pairs,
        "agreement": agreement(rows),
    }


def progress(annotator: str | None = None) -> dict:
    """The Review tab's progress bars: the team's (cases complete / pending, submissions done / needed) and, for
    `annotator`, their latest reviews by status (draft / submitted / discarded / skipped)."""
    with get_session() as session:
        queue = _queue_counts(session, utcnow())
        mine: dict[str, int] = {}
        if annotator:
            query = (select(Review.status, func.count()).where(Review.annotator == annotator, latest_review_clause())
                     .group_by(Review.status))
            mine = dict(session.exec(query).all())
    return {"team": {"cases": queue["total"], "complete": queue["done"], "pending": queue["open"],
                     "submissions_done": queue["submissions_done"], "submissions_needed": queue["submissions_needed"]},
            "me": {s: mine.get(s, 0) for s in STATUSES} if annotator else None}
