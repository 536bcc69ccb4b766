import pytest

from core.evaluation import compare_reports, confusions, evaluate_predictions, failing_cases, worst_codes
from core.evaluation.analysis import pair_errors

CASES = [
    {"id": "a", "narrative": "", "codes": {"icd10cm": ["E11.65", "I10"], "cpt": ["99214"], "hcpcs": []}},
    {"id": "b", "narrative": "", "codes": {"icd10cm": ["E11.65"], "cpt": [], "hcpcs": []}},
    {"id": "c", "narrative": "", "codes": {"icd10cm": ["I10"], "cpt": [], "hcpcs": []}},
]
ROWS = [
    {"id": "a", "codes": {"icd10cm": ["E11.9", "I10"], "cpt": ["99214"]}, "reasoning": "diabetes, so E11.9"},
    {"id": "b", "codes": {"icd10cm": ["E11.9", "Z79.4"]}, "reasoning": "insulin"},
    {"id": "c", "codes": {"icd10cm": ["I10"]}, "reasoning": "hypertension"},
]


def _report(rows=ROWS, **extra):
    scored = evaluate_predictions(CASES, rows, is_valid=lambda c, s: True, n_resamples=200)
    return {"schema": 1, "dataset": {"sha256": "x"}, **extra, **scored}


def test_pair_errors_links_same_category_codes():
    pairs, missed, spurious = pair_errors({"E11.65", "I10", "J45.909"}, {"E11.9", "E11.8", "Z79.4", "I10"})
    assert pairs == [("E11.8", "E11.65")]  # one spurious sibling pairs with the missed code
    assert missed == ["J45.909"] and spurious == ["E11.9", "Z79.4"]


def test_worst_codes():
    worst = worst_codes(_report(), top_k=2)
    assert worst[0]["code"] == "E11.65" and worst[0]["support"] == 2 and worst[0]["fn"] == 2
    assert worst[0]["f1"] == 0.0
    # regression: codes coded without a miss or a spurious code (F1 1: I10, 99214) were listed as "worst"
    assert [w["code"] for w in worst_codes(_report(), top_k=10)] == ["E11.65"]


def test_confusions():
    conf = confusions(_report())
    assert conf["totals"] == {"same_category": 2, "missed": 0, "spurious": 1}
    assert conf["same_category"][0] == {"system": "icd10cm", "predicted": "E11.9", "gold": "E11.65", "count": 2}
    assert conf["spurious"] == [{"system": "icd10cm", "code": "Z79.4", "count": 1}]


def test_failing_cases_show_reasoning():
    failing = failing_cases(_report(), n=1)
    assert failing[0]["id"] == "b" and failing[0]["f1"] == 0.0
    assert failing[0]["missed"]["icd10cm"] == ["E11.65"]
    assert failing[0]["spurious"]["icd10cm"] == ["E11.9", "Z79.4"]
    assert failing[0]["reasoning"] == "insulin"
    assert [c["id"] for c in failing_cases(_report(), n=3)] == ["b", "a"]  # c (F1 1) is no failing case


def test_compare_reports_gives_deltas_and_ci_overlap():
    better_rows = [dict(r, codes={**r["codes"], "icd10cm": CASES[i]["codes"]["icd10cm"]}) for i, r in enumerate(ROWS)]
    a, b = _report(baseline="x"), _report(better_rows, model_id="m")
    comparison = compare_reports(a, b)
    assert comparison["a"] == "x" and comparison["b"] == "m" and comparison["same_dataset"]
    row = next(r for r in comparison["rows"] if r["scope"] == "icd10cm" and r["metric"] == "micro_f1")
    # a: tp=2 (I10 twice), fp=3, fn=2 -> 2*2 / (2*2 + 3 + 2) = 4/9
    assert row["a"] == pytest.approx(4 / 9) and row["b"] == 1.0 and row["delta"] == pytest.approx(5 / 9)
    assert row["ci_overlap"] in (True, False) and row["ci_a"] is not None
    macro = next(r for r in comparison["rows"] if r["metric"] == "macro_f1")
    assert macro["ci_overlap"] is None  # no CI for macro averages
    assert not compare_reports(a, {**b, "dataset": {"sha256": "y"}})["same_dataset"]
