import time

import numpy as np
import pytest

from core.evaluation.bootstrap import (
    f1_and_map_intervals,
    intervals_overlap,
    ratio_interval,
    resample_indices,
)


def _per_case(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    tp = rng.integers(0, 5, n).astype(float)
    fp = rng.integers(0, 5, n).astype(float)
    fn = rng.integers(0, 5, n).astype(float)
    ap = rng.random(n)
    return tp, fp, fn, ap, np.ones(n)


def test_resampling_is_seeded():
    assert np.array_equal(resample_indices(50, 10, seed=4), resample_indices(50, 10, seed=4))
    assert not np.array_equal(resample_indices(50, 10, seed=4), resample_indices(50, 10, seed=5))
    assert resample_indices(0, 10).shape == (0, 0)


def test_intervals_match_a_plain_loop_and_contain_the_estimate():
    tp, fp, fn, ap, count = _per_case(120)
    idx = resample_indices(120, 300, seed=0)
    cis = f1_and_map_intervals(tp, fp, fn, ap, count, idx)
    loop_f1 = [2 * tp[i].sum() / (2 * tp[i].sum() + fp[i].sum() + fn[i].sum()) for i in idx]
    assert cis["micro_f1"] == pytest.approx(list(np.percentile(loop_f1, [2.5, 97.5])))
    assert cis["map"] == pytest.approx(list(np.percentile([ap[i].mean() for i in idx], [2.5, 97.5])))
    point = 2 * tp.sum() / (2 * tp.sum() + fp.sum() + fn.sum())
    assert cis["micro_f1"][0] <= point <= cis["micro_f1"][1]


def test_map_interval_skips_cases_without_gold():
    ap_sum = np.array([1.0, 0.0, 0.5])
    count = np.array([1.0, 0.0, 1.0])  # case 2 has no gold: it must not pull MAP toward 0
    ci = ratio_interval(ap_sum, count, resample_indices(3, 500, seed=0))
    assert ci[0] >= 0.5 and ci[1] <= 1.0


def test_undefined_interval_is_none():
    zeros = np.zeros(4)
    assert ratio_interval(zeros, zeros, resample_indices(4, 50)) is None
    assert ratio_interval(zeros, zeros, resample_indices(0, 50)) is None


def test_thousand_resamples_are_fast():
    tp, fp, fn, ap, count = _per_case(1000)
    start = time.perf_counter()
    f1_and_map_intervals(tp, fp, fn, ap, count, resample_indices(1000, 1000, seed=0))
    assert time.perf_counter() - start < 2.0


def test_intervals_overlap():
    assert intervals_overlap([0.1, 0.3], [0.25, 0.5]) is True
    assert intervals_overlap([0.1, 0.2], [0.25, 0.5]) is False
    assert intervals_overlap(None, [0.25, 0.5]) is None
