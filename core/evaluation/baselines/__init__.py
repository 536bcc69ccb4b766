"""Non-LLM baselines that write rows in the predictions contract, so one scorer judges them all.

    rows = run_baseline("tfidf_lr", cases, train_cases=train, systems=["icd10cm"])
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from core.codes import get_codeset
from core.evaluation.baselines.bm25 import BM25Baseline
from core.evaluation.baselines.common import Baseline, mark_validity, prediction_row
from core.evaluation.baselines.frequency import FrequencyTopK, MajorityCode
from core.evaluation.baselines.tfidf_lr import TfidfLogisticRegression

logger = logging.getLogger(__name__)

BASELINES: dict[str, type[Baseline]] = {
    "majority_code": MajorityCode,
    "frequency_topk": FrequencyTopK,
    "bm25": BM25Baseline,
    "tfidf_lr": TfidfLogisticRegression,
}

__all__ = ["BASELINES", "Baseline", "get_baseline", "needs_training", "prediction_row", "run_baseline"]


def get_baseline(name: str, systems: Sequence[str]) -> Baseline:
    needs_training(name)  # raises on an unknown name
    return BASELINES[name](systems)


def needs_training(name: str) -> bool:
    if name not in BASELINES:
        raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")
    return BASELINES[name].needs_training


def run_baseline(
    name: str,
    cases: Sequence[dict],
    train_cases: Sequence[dict] | None,
    systems: Sequence[str],
    progress: Callable[[int], None] | None = None,
    is_valid: Callable[[str, str], bool] | None = None,
) -> list[dict]:
    """Fit (when it learns, or to learn its cutoffs) and predict; rows in the predictions contract."""
    baseline = get_baseline(name, systems)
    if baseline.needs_training and not train_cases:
        raise ValueError(f"baseline {name!r} learns from data: give train cases (--train SPEC)")
    if train_cases:
        baseline.fit(train_cases)
    rows = baseline.predict(list(cases), progress)
    if is_valid is None:
        codeset = get_codeset()
        is_valid = codeset.is_valid
    return mark_validity(rows, is_valid)
