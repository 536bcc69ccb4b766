"""Precision, recall and F1 from counts of true and false positives over sets of codes: the primitives that
both the retriever's decision rule (fitting thresholds) and the evaluation metrics use. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence


def ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / denominator if denominator else 0.0


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return precision, recall, ratio(2 * tp, 2 * tp + fp + fn)


def set_counts(gold: set, predicted: set) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of one case."""
    tp = len(gold & predicted)
    return tp, len(predicted) - tp, len(gold) - tp


def micro_counts(golds: Sequence[set], predictions: Sequence[set]) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for gold, predicted in zip(golds, predictions, strict=True):
        a, b, c = set_counts(gold, predicted)
        tp, fp, fn = tp + a, fp + b, fn + c
    return tp, fp, fn
