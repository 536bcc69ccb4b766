"""Case-level bootstrap confidence intervals, vectorized with numpy.

Every reported metric with a CI is a ratio of sums over cases (micro F1 = 2TP / (2TP + FP + FN),
MAP = sum of AP / number of cases with gold), so one resample matrix of case indices serves all
metrics and systems: resample r sums `numerator[idx[r]]` and `denominator[idx[r]]`.
"""

from __future__ import annotations

import numpy as np

DEFAULT_RESAMPLES = 1000
DEFAULT_CONFIDENCE = 0.95


def resample_indices(n_cases: int, n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0) -> np.ndarray:
    """(n_resamples, n_cases) matrix of case indices drawn with replacement, seeded."""
    if n_cases <= 0 or n_resamples <= 0:
        return np.zeros((0, max(n_cases, 0)), dtype=np.int64)
    return np.random.default_rng(seed).integers(0, n_cases, size=(n_resamples, n_cases))


def ratio_interval(
    numerator: np.ndarray, denominator: np.ndarray, idx: np.ndarray, confidence: float = DEFAULT_CONFIDENCE
) -> list[float] | None:
    """Percentile interval of sum(numerator)/sum(denominator) over resamples (None if undefined)."""
    if idx.shape[0] == 0:
        return None
    num = np.asarray(numerator, dtype=float)[idx].sum(axis=1)
    den = np.asarray(denominator, dtype=float)[idx].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    if np.all(np.isnan(values)):
        return None
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.nanpercentile(values, [tail, 100.0 - tail])
    return [float(low), float(high)]


def f1_and_map_intervals(
    tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, ap_sum: np.ndarray, ap_count: np.ndarray,
    idx: np.ndarray, confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, list[float] | None]:
    """CIs of micro precision/recall/F1 and MAP from per-case counts.

    `ap_sum[i]` is the sum of the case's average precisions and `ap_count[i]` how many it has (one per
    system with gold codes), so MAP = sum(ap_sum) / sum(ap_count) over a resample.
    """
    return {
        "micro_f1": ratio_interval(2 * tp, 2 * tp + fp + fn, idx, confidence),
        "micro_precision": ratio_interval(tp, tp + fp, idx, confidence),
        "micro_recall": ratio_interval(tp, tp + fn, idx, confidence),
        "map": ratio_interval(ap_sum, ap_count, idx, confidence),
    }


def intervals_overlap(a: list[float] | None, b: list[float] | None) -> bool | None:
    """Whether two intervals overlap (None when either is missing)."""
    if not a or not b:
        return None
    return a[0] <= b[1] and b[0] <= a[1]
