"""The final-answer decision rule: thresholds fitted for micro-F1, the model's vote, storage."""

import pytest

from core.retrieval import Retriever
from core.retrieval.decision import (
    DecisionRule,
    decide,
    fit_model_thresholds,
    fit_thresholds,
    micro_f1,
)
from core.retrieval.storage import update_manifest

# two cases: gold codes score 0.9 and 0.6, distractors 0.55 and 0.3
CASES = [{"codes": {"icd10cm": ["I10", "E11.9"], "cpt": [], "hcpcs": []}},
         {"codes": {"icd10cm": ["D50.9"], "cpt": [], "hcpcs": []}}]
RANKINGS = [{"icd10cm": [("I10", 0.9), ("E11.9", 0.6), ("R51.9", 0.55), ("J18.9", 0.3)]},
            {"icd10cm": [("D50.9", 0.9), ("N30.01", 0.3)]}]


def test_micro_f1_by_hand():
    assert micro_f1([{"a", "b"}, {"c"}], [{"a"}, {"c", "d"}]) == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert micro_f1([set()], [set()]) == 0.0


def test_fitted_threshold_separates_gold_from_distractors():
    rule = fit_thresholds(CASES, RANKINGS)
    assert 0.55 < rule.threshold["icd10cm"] <= 0.6
    assert rule.info["f1"]["icd10cm"] == 1.0
    assert rule.threshold["cpt"] == 0.5 and "cpt" not in rule.info["f1"]  # no gold codes: the default
    assert decide(rule, RANKINGS[0], {}) == {"icd10cm": ["I10", "E11.9"], "cpt": [], "hcpcs": []}


def test_model_vote_counts_only_when_calibration_shows_it_helps():
    rule = DecisionRule({"icd10cm": 0.8, "cpt": 0.5, "hcpcs": 0.5})
    assert decide(rule, RANKINGS[0], {"icd10cm": ["E11.9", "J18.9"]})["icd10cm"] == ["I10"]  # uncalibrated
    helpful = [{"icd10cm": ["E11.9"]}, {"icd10cm": []}]
    calibrated = fit_model_thresholds(rule, CASES, RANKINGS, helpful)
    assert calibrated.model_threshold["icd10cm"] <= 0.6
    assert decide(calibrated, RANKINGS[0], {"icd10cm": ["E11.9"]})["icd10cm"] == ["E11.9", "I10"]
    report = calibrated.info["model_calibration"]["icd10cm"]
    assert report["f1"] > report["f1_without_model"]
    harmful = [{"icd10cm": ["R51.9", "J18.9"]}, {"icd10cm": ["N30.01"]}]
    assert fit_model_thresholds(rule, CASES, RANKINGS, harmful).model_threshold["icd10cm"] == 0.8


def test_rule_round_trips_and_rejects_garbage():
    rule = DecisionRule({"icd10cm": 0.35, "cpt": 0.4, "hcpcs": 0.45}, {"icd10cm": 0.2}, {"cases": 3})
    assert DecisionRule.from_dict(rule.to_dict()) == rule
    with pytest.raises(ValueError, match="threshold"):
        DecisionRule.from_dict({"threshold": "high"})


def test_fit_retriever_stores_a_rule_that_reloads(fitted_dir):
    retriever = Retriever.load(fitted_dir)
    assert retriever.decision is not None
    assert set(retriever.decision.info["f1"]) == {"icd10cm", "cpt"}  # the small cases have no HCPCS codes
    assert all(0 < t < 1 for t in retriever.decision.threshold.values())


def test_update_manifest_replaces_the_rule(fitted_dir, tmp_path):
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(fitted_dir, copy)
    rule = DecisionRule({"icd10cm": 0.9, "cpt": 0.9, "hcpcs": 0.9}, {"icd10cm": 0.1})
    update_manifest(copy, "decision", rule.to_dict())
    assert Retriever.load(copy).decision == rule
