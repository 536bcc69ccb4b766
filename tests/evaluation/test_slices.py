"""Rule slices and exact E/M level in evaluation reports."""

from __future__ import annotations

from core.evaluation import evaluate_predictions
from core.evaluation.slices import NO_RULE, em_level, rule_slices

CASES = [
    {"id": "a", "codes": {"icd10cm": ["J20.9"], "cpt": ["99213"], "hcpcs": []},
     "meta": {"rules": ["integral_symptom", "em_level"]}},
    {"id": "b", "codes": {"icd10cm": ["S52.501A", "W19.XXXA"], "cpt": ["99284"], "hcpcs": []},
     "meta": {"rules": ["external_cause", "em_level"]}},
    {"id": "c", "codes": {"icd10cm": ["Z23"], "cpt": ["90686", "90471"], "hcpcs": []}, "meta": {"rules": []}},
]
ROWS = [
    {"id": "a", "codes": {"icd10cm": ["J20.9", "R05.9"], "cpt": ["99213"], "hcpcs": []}},
    {"id": "b", "codes": {"icd10cm": ["S52.501A"], "cpt": ["99283"], "hcpcs": []}},
    {"id": "c", "codes": {"icd10cm": ["Z23"], "cpt": ["90686", "90471"], "hcpcs": []}},
]


def test_report_has_rule_slices_and_em_level():
    report = evaluate_predictions(CASES, ROWS, n_resamples=20, is_valid=lambda c, s: True)
    by_rule = report["by_rule"]
    assert set(by_rule) == {"integral_symptom", "em_level", "external_cause", NO_RULE}
    assert by_rule[NO_RULE]["overall"]["micro_f1"] == 1.0
    assert by_rule["integral_symptom"]["icd10cm"]["fp"] == 1 and by_rule["integral_symptom"]["cpt"]["micro_f1"] == 1.0
    assert by_rule["external_cause"]["icd10cm"]["fn"] == 1
    assert by_rule["em_level"]["overall"]["n_cases"] == 2
    assert report["em_level"] == {"n_cases": 2, "exact": 0.5, "missing": 0}


def test_rule_slices_of_the_models_own_answer():
    """by_rule_model_answer: the model's own answer (its raw output's codes, before the decision rule and the
    coding rules) scored per rule slice, to see which rules the model itself has learned."""
    raw = {"a": '<think>\n"acute bronchitis" -> J20.9.\n</think>\n{"icd10cm": ["J20.9", "R05.9"], "cpt": [], "hcpcs": []}',
           "b": '<think>\n"fracture" -> S52.501A.\n</think>\n{"icd10cm": ["S52.501A"], "cpt": ["99284"], "hcpcs": []}'}
    rows = [{**row, "raw": raw.get(row["id"])} for row in ROWS]
    report = evaluate_predictions(CASES, rows, n_resamples=20, is_valid=lambda c, s: True)
    own = report["by_rule_model_answer"]
    assert own["integral_symptom"]["icd10cm"] == 2 / 3 and own["integral_symptom"]["cpt"] == 0.0
    assert own["external_cause"]["cpt"] == 1.0 and own["external_cause"]["icd10cm"] == 2 / 3
    assert evaluate_predictions(CASES, ROWS, n_resamples=20, is_valid=lambda c, s: True)["by_rule_model_answer"] == {}


def test_untagged_cases_have_no_slices():
    gold = {"icd10cm": [{"I10"}], "cpt": [set()]}
    assert rule_slices([{"id": "x", "codes": {}}], gold, gold) == {}
    assert em_level(gold, gold) is None


def test_rules_applied_rows_and_judged_edits():
    from core.evaluation.rules_applied import apply_rules_to_rows

    cases = [{"id": "a", "narrative": "Acute bronchitis with cough.", "codes": {"icd10cm": ["J20.9"]}},
             {"id": "b", "narrative": "Left ankle sprain after she tripped.",
              "codes": {"icd10cm": ["S93.402A", "W01.0XXA"]}}]
    rows = [{"id": "a", "codes": {"icd10cm": ["J20.9", "R05.9"]}},
            {"id": "b", "codes": {"icd10cm": ["S93.409A"]}}, {"id": "zz", "codes": {}}]
    edited, summary = apply_rules_to_rows(cases, rows)
    assert edited[0]["codes"]["icd10cm"] == ["J20.9"] and edited[0]["rule_edits"][0]["rule"] == "integral_symptom"
    assert edited[1]["codes"]["icd10cm"] == ["S93.402A", "W01.0XXA"] and edited[2] == rows[2]
    assert summary["integral_symptom"]["helpful"] == 1 and summary["external_cause"]["helpful"] == 1
    assert summary["laterality"] == {"edits": 1, "helpful": 1, "neutral": 0, "harmful": 0}


def test_run_eval_with_rules(tmp_path):
    import json

    from core.evaluation import run_eval

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "a", "narrative": "Acute bronchitis with cough.", "rules": ["integral_symptom"],
                                "codes": {"icd10cm": ["J20.9"]}}) + "\n")
    preds = tmp_path / "preds.jsonl"
    preds.write_text(json.dumps({"id": "a", "codes": {"icd10cm": ["J20.9", "R05.9"]}}) + "\n")
    plain = run_eval(str(gold), predictions=preds, n_resamples=10, plots=False)
    ruled = run_eval(str(gold), predictions=preds, n_resamples=10, plots=False, rules=True)
    assert plain["metrics"]["icd10cm"]["micro_f1"] < ruled["metrics"]["icd10cm"]["micro_f1"] == 1.0
    assert ruled["rules"]["integral_symptom"]["helpful"] == 1 and plain["rules"] is None
    assert ruled["by_rule"]["integral_symptom"]["overall"]["micro_f1"] == 1.0


def test_rerank_puts_the_edited_answer_first_as_the_pipeline_does():
    from core.evaluation.rules_applied import rerank

    ranked = [["J20.9", 1.9], ["R05.9", 1.5], ["J40", 0.7], ["R05.1", 0.3]]
    assert rerank(ranked, ["J20.9", "R05.9"], ["J20.9"]) == [["J20.9", 1.9], ["J40", 0.7], ["R05.9", 0.5],
                                                              ["R05.1", 0.3]]
    assert rerank([], [], ["W01.0XXA"]) == [["W01.0XXA", 1.0]]  # a code the retriever never ranked


def test_rows_the_pipeline_edited_are_judged_not_edited_again(tmp_path, caplog):
    import json

    from core.evaluation import run_eval

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "a", "narrative": "Acute bronchitis with cough.", "codes": {"icd10cm": ["J20.9"]}})
                    + "\n")
    edit = {"action": "drop", "system": "icd10cm", "code": "R05.9", "rule": "integral_symptom", "reason": "integral"}
    preds = tmp_path / "preds.jsonl"
    preds.write_text(json.dumps({"id": "a", "codes": {"icd10cm": ["J20.9"]}, "rules_applied": True,
                                 "rule_edits": [edit]}) + "\n")
    report = run_eval(str(gold), predictions=preds, n_resamples=10, plots=False)
    assert report["rules"] == {"integral_symptom": {"edits": 1, "helpful": 1, "neutral": 0, "harmful": 0}}
    assert report["config"]["rules"] is True and report["metrics"]["icd10cm"]["micro_f1"] == 1.0
    with caplog.at_level("WARNING"):
        run_eval(str(gold), predictions=preds, n_resamples=10, plots=False, rules=False)
    assert "made with the coding rules on" in caplog.text


def test_a_repeated_prediction_id_is_judged_once_like_it_is_scored(tmp_path):
    """Regression: a predictions file with an id twice is scored on its first row (the report warns that the
    repeat is ignored), but the repeat's rule edits were still judged, so `thce eval` printed e.g. 'em_level 2/0/0'
    for one edit."""
    import json

    from core.evaluation import run_eval

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "a", "narrative": "Acute bronchitis with cough.", "codes": {"icd10cm": ["J20.9"]}})
                    + "\n")
    edit = {"action": "drop", "system": "icd10cm", "code": "R05.9", "rule": "integral_symptom", "reason": "integral"}
    row = json.dumps({"id": "a", "codes": {"icd10cm": ["J20.9"]}, "rules_applied": True, "rule_edits": [edit]})
    preds = tmp_path / "preds.jsonl"
    preds.write_text(row + "\n" + row + "\n")
    report = run_eval(str(gold), predictions=preds, n_resamples=10, plots=False)
    assert report["counts"]["n_duplicate_ids"] == 1
    assert report["rules"] == {"integral_symptom": {"edits": 1, "helpful": 1, "neutral": 0, "harmful": 0}}
