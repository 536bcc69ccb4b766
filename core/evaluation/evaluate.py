"""Gold cases + prediction rows -> the metric part of an evaluation report.

`evaluate_predictions` aligns predictions to cases by id (a case without a prediction is scored as
an empty answer), scores each system and all systems pooled, adds bootstrap CIs, validity, format
compliance, latency and per-case rows. It does no I/O.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np

from core.codes import get_codeset
from core.constants import SYSTEMS
from core.evaluation.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    f1_and_map_intervals,
    resample_indices,
)
from core.evaluation.metrics import (
    average_precision,
    canonical_code,
    case_prf,
    f1_by_frequency,
    score_sets,
    set_counts,
)
from core.evaluation.predictions import RANKED_KEEP, index_predictions, predicted_codes, ranked_codes
from core.evaluation.quality import (
    format_compliance,
    latency_summary,
    model_answer_f1,
    model_answer_sets,
    reasoning_grounding,
    validity_rate,
)
from core.evaluation.slices import em_level, rule_slices

logger = logging.getLogger(__name__)

REASONING_KEEP = 4000  # characters of reasoning kept per case row


def gold_codes(case: dict, system: str) -> set[str]:
    return {canonical_code(c) for c in (case.get("codes") or {}).get(system, []) if str(c).strip()}


def check_cases(cases: Sequence[dict]) -> None:
    """Raise ValueError naming the case when a gold case is malformed."""
    for position, case in enumerate(cases, start=1):
        if not isinstance(case, dict) or case.get("id") in (None, ""):
            raise ValueError(f"case #{position}: field 'id' is missing")
        codes = case.get("codes")
        if not isinstance(codes, dict):
            raise ValueError(f"case {case['id']!r}: field 'codes' must be an object mapping system -> list")


def systems_with_gold(cases: Sequence[dict]) -> list[str]:
    """Systems that hold at least one gold code (all systems when none does)."""
    found = [s for s in SYSTEMS if any(gold_codes(case, s) for case in cases)]
    return found or list(SYSTEMS)


def _default_is_valid(codeset) -> Callable[[str, str], bool]:
    return lambda code, system: codeset.is_valid(code, system)


class _Aligned:
    """Per-system gold sets, predicted sets and ranked lists, aligned with the cases."""

    def __init__(self, cases: Sequence[dict], rows: list[dict | None], systems: Sequence[str]):
        self.systems = list(systems)
        self.gold = {s: [gold_codes(c, s) for c in cases] for s in systems}
        self.pred_lists = {s: [predicted_codes(r, s) if r else [] for r in rows] for s in systems}
        self.pred = {s: [set(p) for p in self.pred_lists[s]] for s in systems}
        self.ranked = {s: [ranked_codes(r, s) if r else [] for r in rows] for s in systems}
        self.ap = {
            s: [average_precision([c for c, _ in r], g) for r, g in zip(self.ranked[s], self.gold[s], strict=True)]
            for s in systems
        }
        self.n = len(cases)

    def pooled(self) -> tuple[list[set], list[set]]:
        """Gold and predicted sets per case with (system, code) labels over all systems."""
        gold = [{(s, c) for s in self.systems for c in self.gold[s][i]} for i in range(self.n)]
        pred = [{(s, c) for s in self.systems for c in self.pred[s][i]} for i in range(self.n)]
        return gold, pred


def _pooled_category(label: tuple[str, str]) -> tuple[str, str]:
    return label[0], label[1][:3]


def _metrics(aligned: _Aligned) -> dict:
    metrics = {}
    for s in aligned.systems:
        rankings = [[code for code, _ in r] for r in aligned.ranked[s]]
        metrics[s] = score_sets(aligned.gold[s], aligned.pred[s], rankings)
    gold, pred = aligned.pooled()
    overall = score_sets(gold, pred, [[] for _ in gold], category_of=_pooled_category)
    kept = [a for s in aligned.systems for a in aligned.ap[s] if a is not None]
    overall["map"] = sum(kept) / len(kept) if kept else None  # mean AP over (case, system) with gold
    overall["n_map_cases"] = len(kept)
    return {"overall": overall, **metrics}


def _case_arrays(aligned: _Aligned, systems: Sequence[str], n: int) -> tuple[np.ndarray, ...]:
    """Per-case tp, fp, fn summed over `systems`, and AP averaged over those with gold (NaN if none)."""
    counts = np.zeros((n, 3))
    ap_sum, ap_n = np.zeros(n), np.zeros(n)
    for s in systems:
        for i in range(n):
            counts[i] += set_counts(aligned.gold[s][i], aligned.pred[s][i])
            ap = aligned.ap[s][i]
            if ap is not None:
                ap_sum[i] += ap
                ap_n[i] += 1
    return counts[:, 0], counts[:, 1], counts[:, 2], ap_sum, ap_n


def _intervals(aligned: _Aligned, n_resamples: int, seed: int, confidence: float) -> dict:
    idx = resample_indices(aligned.n, n_resamples, seed)
    groups = [("overall", aligned.systems)] + [(s, [s]) for s in aligned.systems]
    return {
        name: f1_and_map_intervals(*_case_arrays(aligned, systems, aligned.n), idx, confidence)
        for name, systems in groups
    }


def _case_row(case: dict, row: dict | None, aligned: _Aligned, i: int) -> dict:
    gold = {(s, c) for s in aligned.systems for c in aligned.gold[s][i]}
    pred = {(s, c) for s in aligned.systems for c in aligned.pred[s][i]}
    precision, recall, f1 = case_prf(gold, pred)
    missing, row = row is None, row or {}
    return {
        "id": str(case["id"]),
        "gold": {s: sorted(aligned.gold[s][i]) for s in aligned.systems},
        "predicted": {s: aligned.pred_lists[s][i] for s in aligned.systems},
        "ranked": {s: [[c, sc] for c, sc in aligned.ranked[s][i][:RANKED_KEEP]] for s in aligned.systems},
        "ap": {s: aligned.ap[s][i] for s in aligned.systems},
        "precision": precision, "recall": recall, "f1": f1, "exact_match": gold == pred,
        "reasoning": str(row.get("reasoning") or "")[:REASONING_KEEP],
        "valid": row.get("valid"), "latency_s": row.get("latency_s"),
        "error": "no prediction for this case" if missing else row.get("error"),
    }


def evaluate_predictions(
    cases: Sequence[dict],
    predictions: Sequence[dict],
    systems: Sequence[str] | None = None,
    is_valid: Callable[[str, str], bool] | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
    codeset=None,
) -> dict:
    """Score prediction rows against gold cases; see docs/EVALUATION.md for every field. `codeset`: the code
    set that judges validity and the reasoning's evidence (default: the shipped one, unless `is_valid` is
    given: then the reasoning's evidence is not judged)."""
    check_cases(cases)
    systems = list(systems) if systems else systems_with_gold(cases)
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system(s) {unknown}; choose from {list(SYSTEMS)}")
    by_id, repeats = index_predictions(list(predictions))
    rows = [by_id.get(str(case["id"])) for case in cases]
    if cases and by_id and not any(rows):
        raise ValueError("no prediction id matches a case id: are the predictions for this dataset?")
    aligned = _Aligned(cases, rows, systems)
    if is_valid is None:
        codeset = codeset or get_codeset()
        is_valid = _default_is_valid(codeset)
    present = [r for r in rows if r]
    raws = [(r or {}).get("raw") for r in rows]
    own = model_answer_sets(systems, raws, is_valid)
    gold = {s: aligned.gold[s] for s in systems}
    return {
        "systems": systems,
        "counts": {
            "n_cases": aligned.n, "n_predictions": len(predictions), "n_missing": sum(r is None for r in rows),
            "n_unmatched": len(set(by_id) - {str(c["id"]) for c in cases}), "n_duplicate_ids": repeats,
            "n_errors": sum(bool(r.get("error")) for r in present),
        },
        "metrics": _metrics(aligned),
        "ci": _intervals(aligned, n_resamples, seed, confidence),
        "bootstrap": {"method": "percentile, resampling cases", "n_resamples": n_resamples, "seed": seed,
                      "confidence": confidence},
        "validity": validity_rate(
            ((s, c) for s in systems for preds in aligned.pred_lists[s] for c in preds), is_valid
        ),
        "format": format_compliance(r.get("raw") for r in present),
        "model_answer": model_answer_f1(gold, raws, is_valid, own),
        "reasoning": reasoning_grounding([c.get("narrative", "") for c in cases], raws, codeset),
        "latency": latency_summary(r.get("latency_s") for r in present),
        "frequency_buckets": {
            "overall": f1_by_frequency(*aligned.pooled()),
            **{s: f1_by_frequency(aligned.gold[s], aligned.pred[s]) for s in systems},
        },
        "by_rule": rule_slices(cases, aligned.gold, aligned.pred),
        "by_rule_model_answer": {rule: {k: v["micro_f1"] for k, v in scores.items()}
                                 for rule, scores in rule_slices(cases, gold, own).items()} if own else {},
        "em_level": em_level(aligned.gold, aligned.pred),
        "cases": [_case_row(case, row, aligned, i) for i, (case, row) in enumerate(zip(cases, rows, strict=True))],
    }
