"""The coding rules (core.rules) as the pipeline's last step, on scripted model answers: edits change the answer,
show in the items and the JSON, and can be turned off."""

import json

import pytest

SPRAIN = "Left ankle sprain after she tripped."
SPRAIN_ANSWER = '<think>\n"ankle sprain" -> S93.409A\n</think>\n{"icd10cm": ["S93.409A"], "cpt": [], "hcpcs": []}'
BRONCHITIS = "Acute bronchitis with cough."
BRONCHITIS_ANSWER = ('<think>\n"acute bronchitis" -> J20.9; "cough" -> R05.9\n</think>\n'
                     '{"icd10cm": ["J20.9", "R05.9"], "cpt": [], "hcpcs": []}')


def _scripted(pipe, narrative, text):
    return pipe.finish(pipe.prepare(narrative), pipe.generator.vocab.encode(text), 0.5)


def test_a_rule_replaces_and_adds_codes_with_reasons(make_pipeline):
    result = _scripted(make_pipeline(), SPRAIN, SPRAIN_ANSWER)
    assert result.codes["icd10cm"] == ["S93.402A", "W01.0XXA"] and result.rules_applied
    by_code = {item.code: item for item in result.items}
    old, new, cause = by_code["S93.409A"], by_code["S93.402A"], by_code["W01.0XXA"]
    assert not old.selected and old.valid and old.rule == "laterality" and "replaced by S93.402A" in old.rule_reason
    assert new.selected and new.source == "rule" and new.rule == "laterality" and "left side" in new.rule_reason
    assert cause.source == "rule" and cause.rule == "external_cause" and cause.description and cause.valid
    assert [(e["action"], e["rule"]) for e in result.rule_edits] == [("replace", "laterality"), ("add", "external_cause")]
    assert result.rule_edits[0]["replacement"] == "S93.402A" and result.rule_edits[1]["guideline"].startswith("ICD-10-CM")


def test_a_dropped_code_stays_in_the_items_and_leaves_the_top_of_the_ranking(make_pipeline):
    result = _scripted(make_pipeline(), BRONCHITIS, BRONCHITIS_ANSWER)
    cough = next(item for item in result.items if item.code == "R05.9")
    assert result.codes["icd10cm"] == ["J20.9"]
    assert not cough.selected and cough.rule == "integral_symptom" and "integral" in cough.rule_reason
    assert result.valid  # the model's own answer was valid: a rule edit does not make it invalid
    ranked = result.ranked["icd10cm"]
    assert ranked[0] == ["J20.9", ranked[0][1]] and ranked[0][1] >= 1.0
    assert all(score < 1.0 for code, score in ranked if code == "R05.9")


def test_rules_off_keeps_the_models_answer(make_pipeline):
    result = _scripted(make_pipeline(rules=False), BRONCHITIS, BRONCHITIS_ANSWER)
    assert result.codes["icd10cm"] == ["J20.9", "R05.9"] and not result.rules_applied and result.rule_edits == []
    assert all(item.rule == "" for item in result.items)


def test_edits_are_in_the_json_result_and_the_prediction_row(make_pipeline):
    result = _scripted(make_pipeline(), BRONCHITIS, BRONCHITIS_ANSWER)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["rule_edits"][0] == {"action": "drop", "system": "icd10cm", "code": "R05.9", "rule": "integral_symptom",
                                     "guideline": result.rule_edits[0]["guideline"],
                                     "reason": result.rule_edits[0]["reason"]}
    assert any(item["rule"] == "integral_symptom" and not item["selected"] for item in data["items"])
    row = result.to_prediction("case-1")
    assert row["codes"]["icd10cm"] == ["J20.9"] and row["rules_applied"] is True and row["rule_edits"] == data["rule_edits"]


def test_code_and_code_batch_apply_the_rules_and_bad_input_is_still_refused(make_pipeline):
    pipe = make_pipeline()
    results = pipe.code_batch([SPRAIN, "   "])
    assert results[0].rules_applied and isinstance(results[1], ValueError)
    assert all(e["rule"] and e["reason"] for e in results[0].rule_edits)
    with pytest.raises(ValueError, match="narrative is empty"):
        pipe.code("")


def test_on_a_case_history_the_result_says_which_rules_abstained(make_pipeline):
    history = BRONCHITIS + " Two months later she was readmitted."
    result = _scripted(make_pipeline(), history, BRONCHITIS_ANSWER)
    assert result.codes["icd10cm"] == ["J20.9", "R05.9"] and result.rule_edits == []
    assert "integral_symptom" in result.to_dict()["rules_skipped"]
