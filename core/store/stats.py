"""Annotation statistics: the queue, decisions by annotator and code system, and agreement (agreement.py).

Only the latest version of each review counts. A review's code set: accept -> the prediction's codes,
correct -> the corrected codes, reject / skip -> none.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from core.prompts import SYSTEMS
from core.store.agreement import code_set_kappa, kappa_from_labels, mean_jaccard
from core.store.db import get_session
from core.store.models import (
    DECISIONS,
    Case,
    Prediction,
    PreferencePair,
    Review,
    latest_review_clause,
    utcnow,
)
from core.store.queue import reviews_done


def review_code_set(decision: str, corrected: dict | None, predicted: dict | None) -> set[str] | None:
    """System-qualified codes a review stands for, or None when it gives no code set."""
    source = corrected if decision == "correct" else predicted if decision == "accept" else None
    if source is None:
        return None
    return {f"{system}:{code}" for system in SYSTEMS for code in source.get(system, [])}


def _latest_reviews(session: Session) -> list[tuple[Review, dict | None]]:
    query = (
        select(Review, Prediction.codes)
        .join(Prediction, Review.prediction_id == Prediction.id, isouter=True)
        .where(latest_review_clause())
        .order_by(Review.id)
    )
    return list(session.exec(query).all())


def _queue_counts(session: Session, now: datetime) -> dict:
    total = session.exec(select(func.count()).select_from(Case)).one()
    open_ = session.exec(select(func.count()).select_from(Case).where(reviews_done(Case.id) < Case.target_reviews)).one()
    leased = session.exec(select(func.count()).select_from(Case).where(Case.lease_expires_at > now)).one()
    double = session.exec(select(func.count()).select_from(Case).where(Case.target_reviews > 1)).one()
    return {"total": total, "open": open_, "done": total - open_, "leased": leased, "double_annotation": double}


def _by_system(rows: list[tuple[Review, dict | None]]) -> dict:
    out = {system: {"final_codes": 0, "corrected_reviews": 0} for system in SYSTEMS}
    for review, predicted in rows:
        for code in review_code_set(review.decision, review.corrected_codes, predicted) or ():
            out[code.split(":", 1)[0]]["final_codes"] += 1
        if review.decision == "correct":
            for system in SYSTEMS:
                before = set((predicted or {}).get(system, []))
                if set((review.corrected_codes or {}).get(system, [])) != before:
                    out[system]["corrected_reviews"] += 1
    return out


def _by_annotator(rows: list[tuple[Review, dict | None]]) -> dict:
    out: dict[str, dict] = defaultdict(lambda: {d: 0 for d in DECISIONS} | {"total": 0, "time_spent_s": 0.0})
    for review, _ in rows:
        entry = out[review.annotator]
        entry[review.decision] += 1
        entry["total"] += 1
        entry["time_spent_s"] = round(entry["time_spent_s"] + (review.time_spent_s or 0.0), 3)
    return dict(sorted(out.items()))


def agreement(rows: list[tuple[Review, dict | None]]) -> dict:
    """Decision and code-set agreement between the first two annotators of each doubly reviewed case."""
    per_case: dict[int, list[tuple[Review, dict | None]]] = defaultdict(list)
    for review, predicted in rows:
        if review.decision != "skip" and len(per_case[review.case_id]) < 2:
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
            "mean_jaccard": mean_jaccard(code_pairs)}


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
    return {
        "cases": queue,
        "reviews": {"latest": len(rows), "versions": versions},
        "by_decision": {d: decisions.get(d, 0) for d in DECISIONS},
        "by_annotator": _by_annotator(rows),
        "by_system": _by_system(rows),
        "preference_pairs": pairs,
        "agreement": agreement(rows),
    }
