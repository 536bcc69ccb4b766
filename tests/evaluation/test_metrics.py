"""Metric unit tests with hand-computed expectations."""

import random

import pandas as pd
import pytest

from core.evaluation.metrics import (
    average_precision,
    case_prf,
    f1_by_frequency,
    frequency_bucket,
    macro_scores,
    prf,
    score_sets,
    unique_in_order,
)


def test_average_precision_hand_example():
    # ranked A X B Y C, gold {A, B, C, D}: hits at ranks 1, 3, 5 -> (1/1 + 2/3 + 3/5) / 4 gold codes
    ap = average_precision(["A", "X", "B", "Y", "C"], {"A", "B", "C", "D"})
    assert ap == pytest.approx((1 + 2 / 3 + 3 / 5) / 4) == pytest.approx(0.5666667)


def test_average_precision_edge_cases():
    assert average_precision(["X", "A"], {"A"}) == 0.5
    assert average_precision([], {"A"}) == 0.0  # empty prediction: AP 0
    assert average_precision(["A"], set()) is None  # empty gold: no AP, left out of MAP
    assert average_precision(["X", "Y"], {"A", "B"}) == 0.0
    # a repeated code keeps its first rank only: [A, A, B] ranks as [A, B]
    assert average_precision(["A", "A", "B"], {"A", "B"}) == 1.0
    assert average_precision(["X", "X", "A"], {"A"}) == 0.5


def test_map_hand_example_excludes_empty_gold():
    golds = [{"A", "B", "C", "D"}, {"A"}, set()]
    rankings = [["A", "X", "B", "Y", "C"], ["X", "A"], ["Z"]]
    scores = score_sets(golds, [set(r) for r in rankings], rankings)
    assert scores["map"] == pytest.approx((0.5666667 + 0.5) / 2)
    assert scores["n_map_cases"] == 2


def test_map_of_no_gold_at_all_is_none():
    assert score_sets([set()], [{"A"}], [["A"]])["map"] is None


def _trectools_style_map(golds: list[set], rankings: list[list]) -> float:
    """Reference written independently in pandas, the way CodiEsp's script scores a run
    (trectools get_map(trec_eval=False): ranks from the given order, duplicates keep the first)."""
    run = pd.DataFrame([(q, d) for q, r in enumerate(rankings) for d in r], columns=["query", "docid"])
    run = run.drop_duplicates(["query", "docid"], keep="first")
    run["rank"] = run.groupby("query").cumcount() + 1
    qrels = pd.DataFrame([(q, d) for q, g in enumerate(golds) for d in g], columns=["query", "docid"])
    qrels["rel"] = 1
    merged = run.merge(qrels, how="left", on=["query", "docid"])
    merged["hits"] = merged.groupby("query")["rel"].cumsum()
    merged["contribution"] = merged["hits"] / merged["rank"] * merged["rel"]
    ap = merged.groupby("query")["contribution"].sum() / qrels.groupby("query")["rel"].sum()
    return float(ap.sum() / len(set(run["query"]) & set(qrels["query"])))


def test_map_matches_the_official_computation_on_random_runs():
    rng = random.Random(3)
    codes = [f"C{i}" for i in range(12)]
    golds = [set(rng.sample(codes, rng.randint(1, 5))) for _ in range(40)]
    rankings = [[rng.choice(codes) for _ in range(rng.randint(1, 10))] for _ in range(40)]
    ours = score_sets(golds, [set(r) for r in rankings], rankings)["map"]
    assert ours == pytest.approx(_trectools_style_map(golds, rankings))


def test_micro_macro_exact_category_hand_example():
    golds = [{"E11.9", "I10"}, {"J45.909"}, set()]
    preds = [{"E11.9", "I11.9"}, set(), set()]
    s = score_sets(golds, preds, [list(p) for p in preds])
    # tp=1 (E11.9), fp=1 (I11.9), fn=2 (I10, J45.909)
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 2)
    assert s["micro_precision"] == 0.5
    assert s["micro_recall"] == pytest.approx(1 / 3)
    assert s["micro_f1"] == pytest.approx(2 * 1 / (2 * 1 + 1 + 2))
    # labels E11.9 (1,1,1), I10 (0,0,0), I11.9 (0,0,0), J45.909 (0,0,0) -> macro P = R = F1 = 1/4
    assert (s["macro_precision"], s["macro_recall"], s["macro_f1"]) == (0.25, 0.25, 0.25)
    # only the empty/empty case matches exactly
    assert s["exact_match"] == pytest.approx(1 / 3)
    # categories: gold {E11, I10}, {J45}; predicted {E11, I11}: tp=1 fp=1 fn=2 (I10 != I11)
    assert s["category_f1"] == pytest.approx(2 / 5)
    assert s["n_gold"] == 3 and s["n_predicted"] == 2


def test_category_credit_for_a_sibling_code():
    s = score_sets([{"E11.65"}], [{"E11.9"}], [["E11.9"]])
    assert s["micro_f1"] == 0.0
    assert s["category_f1"] == 1.0


def test_empty_prediction_and_empty_gold():
    assert case_prf(set(), set()) == (1.0, 1.0, 1.0)
    assert case_prf({"A"}, set()) == (0.0, 0.0, 0.0)
    assert case_prf(set(), {"A"}) == (0.0, 0.0, 0.0)
    s = score_sets([{"A"}], [set()], [[]])
    assert (s["micro_precision"], s["micro_recall"], s["micro_f1"], s["map"]) == (0.0, 0.0, 0.0, 0.0)
    assert score_sets([], [], [])["micro_f1"] == 0.0


def test_prf_zero_division_and_macro_empty():
    assert prf(0, 0, 0) == (0.0, 0.0, 0.0)
    assert prf(2, 2, 0) == (0.5, 1.0, pytest.approx(2 / 3))
    assert macro_scores([set()], [set()]) == (0.0, 0.0, 0.0)


def test_unique_in_order_keeps_first():
    assert unique_in_order(["B", "A", "B", "C", "A"]) == ["B", "A", "C"]


def test_frequency_buckets():
    assert [frequency_bucket(n) for n in (1, 2, 4, 5, 9, 10, 99)] == ["1", "2-4", "2-4", "5-9", "5-9", "10+", "10+"]
    golds = [{"A", "B"}, {"A"}, {"A"}]
    preds = [{"A"}, {"A", "Z"}, set()]
    buckets = f1_by_frequency(golds, preds)
    # A: gold 3 times (bucket 2-4), tp=2 fn=1; B: once (bucket 1), fn=1; Z predicted-only: left out
    assert buckets["2-4"]["n_codes"] == 1 and buckets["2-4"]["f1"] == pytest.approx(0.8)
    assert buckets["1"]["n_codes"] == 1 and buckets["1"]["f1"] == 0.0
    assert buckets["10+"]["n_codes"] == 0
