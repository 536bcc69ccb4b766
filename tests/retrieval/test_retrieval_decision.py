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


# --- issue 14, answer bugs 4a and 4b -------------------------------------------------------------------------

def _thirty(probability: float) -> dict:
    return {"icd10cm": [(f"A{i:02d}.0", probability) for i in range(30)]}


def test_decide_looks_only_at_the_depth_the_rule_was_fitted_on():
    """4b: thresholds fitted on the top 20 per system must not be applied to a deeper (top-50) list."""
    rule = DecisionRule({"icd10cm": 0.5, "cpt": 0.5, "hcpcs": 0.5}, {"icd10cm": 0.3})
    assert rule.depth == 20
    assert len(decide(rule, _thirty(0.9), {})["icd10cm"]) == 20
    ranking = {"icd10cm": [(f"A{i:02d}.0", 0.45) for i in range(30)]}
    # the model's code ranked 26th is below the fitted depth: it has no retriever support
    assert decide(rule, ranking, {"icd10cm": ["A25.0"]})["icd10cm"] == []
    assert decide(rule, ranking, {"icd10cm": ["A05.0"]})["icd10cm"] == ["A05.0"]


def test_fitted_rule_records_its_depth_and_old_rules_load_with_twenty():
    rule = fit_thresholds(CASES, RANKINGS)
    assert rule.depth == 20
    data = rule.to_dict()
    data.pop("depth")
    assert DecisionRule.from_dict(data).depth == 20
    with pytest.raises(ValueError, match="depth"):
        DecisionRule.from_dict({**rule.to_dict(), "depth": 0})


def test_billable_ranking_maps_non_billable_labels():
    """4a: a non-billable retriever label stands for the model's code under it, else its billable form."""
    from core.retrieval.decision import billable_ranking

    billable = {"C56.1", "C56.9", "C50.911", "I10"}

    def to_billable(code, system):
        return code if code in billable else {"C56": "C56.9"}.get(code)

    ranking = {"icd10cm": [("C56", 0.9), ("C50.9", 0.8), ("I10", 0.7), ("C56.9", 0.2)]}
    mapped = billable_ranking(ranking, {"icd10cm": ["C56.1"]}, to_billable)
    # C50.9 has no billable form here and no model code under it: dropped
    assert mapped["icd10cm"] == [("C56.1", 0.9), ("I10", 0.7), ("C56.9", 0.2)]
    assert billable_ranking(ranking, {}, to_billable)["icd10cm"] == [("C56.9", 0.9), ("I10", 0.7)]


def test_a_correct_model_code_under_a_non_billable_label_stays_in_the_answer():
    """4a, end to end through the pipeline's item builder with the real code set: the retriever is sure of
    'C56' (ovary cancer, not billable), the model says 'C56.1'; the answer must keep C56.1."""
    from core.codes import get_codeset
    from core.pipeline.items import build_items, final_codes
    from core.prompts import ParsedOutput

    codeset = get_codeset()
    assert not codeset.is_valid("C56", "icd10cm") and codeset.is_valid("C56.1", "icd10cm")
    parsed = ParsedOutput(reasoning="right ovary carcinoma -> C56.1",
                          codes={"icd10cm": ["C56.1"], "cpt": [], "hcpcs": []})
    rule = DecisionRule({"icd10cm": 0.5, "cpt": 0.5, "hcpcs": 0.5})
    rank = {"icd10cm": [("C56", 0.95)], "cpt": [], "hcpcs": []}
    items = build_items(codeset, parsed, "Carcinoma of the right ovary.", [], {}, rule, rank)
    assert final_codes(items)["icd10cm"] == ["C56.1"]
