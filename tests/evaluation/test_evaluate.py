import pytest

from core.evaluation import evaluate_predictions
from core.evaluation.predictions import PredictionError, load_predictions
from core.evaluation.quality import format_compliance, latency_summary, think_format_ok, validity_rate
from core.prompts import format_answer

CASES = [
    {"id": "a", "narrative": "x", "codes": {"icd10cm": ["E11.9", "I10"], "cpt": ["99214"], "hcpcs": []}},
    {"id": "b", "narrative": "y", "codes": {"icd10cm": ["J45.909"], "cpt": [], "hcpcs": []}},
    {"id": "c", "narrative": "z", "codes": {"icd10cm": [], "cpt": [], "hcpcs": []}},
]


def _row(case_id, icd=(), cpt=(), ranked_icd=None, latency=0.5, raw="", error=None):
    row = {"id": case_id, "codes": {"icd10cm": list(icd), "cpt": list(cpt), "hcpcs": []},
           "reasoning": f"why {case_id}", "raw": raw, "valid": True, "latency_s": latency, "error": error}
    if ranked_icd is not None:
        row["ranked"] = {"icd10cm": [[c, 1.0 / (i + 1)] for i, c in enumerate(ranked_icd)]}
    return row


def _always_valid(code, system):
    return True


def test_evaluate_hand_example():
    rows = [
        _row("a", icd=["E11.9", "E11.9"], cpt=["99213"], ranked_icd=["E11.9", "E78.5", "I10"], latency=1.0),
        _row("b", icd=[], latency=3.0),
        _row("c", icd=[], latency=2.0),
    ]
    out = evaluate_predictions(CASES, rows, is_valid=_always_valid, n_resamples=200)
    assert out["systems"] == ["icd10cm", "cpt"]  # hcpcs has no gold code in these cases
    icd, cpt, overall = out["metrics"]["icd10cm"], out["metrics"]["cpt"], out["metrics"]["overall"]
    assert (icd["tp"], icd["fp"], icd["fn"]) == (1, 0, 2)  # the duplicate E11.9 counts once
    assert icd["map"] == pytest.approx(((1 + 2 / 3) / 2 + 0.0) / 2)  # case b: no ranked list -> AP 0
    assert cpt["map"] == 0.0 and cpt["n_map_cases"] == 1
    assert (overall["tp"], overall["fp"], overall["fn"]) == (1, 1, 3)
    assert overall["map"] == pytest.approx((0.8333333 + 0.0 + 0.0) / 3)  # (case, system) pairs with gold
    assert overall["exact_match"] == pytest.approx(1 / 3)  # only c (empty/empty)
    assert out["latency"]["mean_s"] == 2.0 and out["latency"]["p50_s"] == 2.0
    assert out["validity"] == {"n_codes": 2, "n_valid": 2, "rate": 1.0}
    assert out["format"]["n_raw"] == 0 and out["format"]["rate"] is None
    first = out["cases"][0]
    assert first["predicted"]["icd10cm"] == ["E11.9"] and first["gold"]["icd10cm"] == ["E11.9", "I10"]
    assert first["ranked"]["icd10cm"][0] == ["E11.9", 1.0]
    assert first["f1"] == pytest.approx(2 / 5) and first["reasoning"] == "why a"
    assert out["cases"][2]["f1"] == 1.0 and out["cases"][2]["exact_match"] is True
    assert out["ci"]["icd10cm"]["micro_f1"] is not None and set(out["ci"]) == {"overall", "icd10cm", "cpt"}


def test_missing_and_unmatched_predictions_are_counted():
    rows = [_row("a", icd=["E11.9"]), _row("zzz", icd=["I10"])]
    out = evaluate_predictions(CASES, rows, is_valid=_always_valid, n_resamples=10)
    assert out["counts"]["n_missing"] == 2 and out["counts"]["n_unmatched"] == 1
    assert out["cases"][1]["error"] == "no prediction for this case"
    assert out["cases"][1]["predicted"]["icd10cm"] == []


def test_predictions_for_another_dataset_are_refused():
    with pytest.raises(ValueError, match="no prediction id matches"):
        evaluate_predictions(CASES, [_row("other")], is_valid=_always_valid)


def test_systems_can_be_chosen_and_are_checked():
    out = evaluate_predictions(CASES, [_row("a")], systems=["hcpcs"], is_valid=_always_valid, n_resamples=5)
    assert out["systems"] == ["hcpcs"] and out["metrics"]["hcpcs"]["map"] is None
    with pytest.raises(ValueError, match="unknown system"):
        evaluate_predictions(CASES, [_row("a")], systems=["icd9"], is_valid=_always_valid)


def test_bad_case_and_bad_prediction_name_the_field():
    with pytest.raises(ValueError, match="'codes'"):
        evaluate_predictions([{"id": "a"}], [], is_valid=_always_valid)
    with pytest.raises(PredictionError, match="'codes'"):
        evaluate_predictions(CASES, [{"id": "a", "codes": ["E11.9"]}], is_valid=_always_valid)


def test_validity_uses_the_code_set_by_default():
    rows = [_row("a", icd=["E11.9", "E11"], cpt=["99214"])]  # E11 is a category: not billable
    out = evaluate_predictions(CASES, rows, n_resamples=5)
    assert out["validity"] == {"n_codes": 3, "n_valid": 2, "rate": pytest.approx(2 / 3)}


def test_bootstrap_is_reproducible():
    rows = [_row("a", icd=["E11.9"]), _row("b", icd=["J45.909"])]
    one = evaluate_predictions(CASES, rows, is_valid=_always_valid, n_resamples=100, seed=3)
    two = evaluate_predictions(CASES, rows, is_valid=_always_valid, n_resamples=100, seed=3)
    assert one["ci"] == two["ci"]


def test_think_format_compliance():
    good = format_answer("E11.9 because type 2 diabetes", {"icd10cm": ["E11.9"], "cpt": [], "hcpcs": []})
    assert think_format_ok(good)
    assert think_format_ok('<think>r</think>\n{"icd10cm": ["e119"]}')  # code repairs keep the format
    assert not think_format_ok('r </think> {"icd10cm": ["E11.9"]}')  # no opening tag
    assert not think_format_ok('<think>r {"icd10cm": ["E11.9"]}')  # never closed
    assert not think_format_ok("<think>a</think><think>b</think>{}")  # two blocks
    assert not think_format_ok("<think>r</think>\n{icd10cm: ['E11.9'],}")  # malformed JSON
    assert not think_format_ok('<think>r</think>\n{"icd10cm": []} and more prose')
    assert not think_format_ok("")
    summary = format_compliance([good, "no tags at all", None, ""])
    assert summary == {"n_raw": 2, "n_ok": 1, "rate": 0.5}


def test_latency_and_validity_summaries():
    summary = latency_summary([1.0, 2.0, 3.0, 4.0, None, "x", True])
    assert summary["n"] == 4 and summary["mean_s"] == 2.5 and summary["p50_s"] == 2.5
    assert summary["p95_s"] == pytest.approx(3.85)
    assert latency_summary([])["mean_s"] is None
    assert validity_rate([], _always_valid)["rate"] is None


def test_load_predictions_names_the_bad_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "a", "codes": {}}\n\n{"id": "b", "codes": {"icd10cm": "E11.9"}}\n')
    with pytest.raises(PredictionError, match=r"p.jsonl:3: field 'codes.icd10cm' must be a list"):
        load_predictions(path)
    path.write_text('{"id": "a"}\nnot json\n')
    with pytest.raises(PredictionError, match=r"p.jsonl:2: not valid JSON"):
        load_predictions(path)
    with pytest.raises(PredictionError, match="not found"):
        load_predictions(tmp_path / "missing.jsonl")


def test_model_answer_is_scored_apart_from_the_final_codes():
    raw_a = format_answer("r", {"icd10cm": ["E11.9", "R51.9"], "cpt": [], "hcpcs": []})  # 1 of 2 right
    rows = [_row("a", icd=["E11.9", "I10"], cpt=["99214"], raw=raw_a), _row("b", icd=["J45.909"], raw="garbage"),
            _row("c")]
    report = evaluate_predictions(CASES, rows, is_valid=_always_valid, n_resamples=10)
    own = report["model_answer"]
    assert own["n_raw"] == 2
    assert own["micro_f1"]["icd10cm"] == pytest.approx(2 * 1 / (2 * 1 + 1 + 2))  # tp 1, fp R51.9, fn I10 + J45.909
    assert own["micro_f1"]["cpt"] == 0.0
    assert report["metrics"]["icd10cm"]["micro_f1"] == 1.0  # the final answer is scored as given
    assert evaluate_predictions(CASES, [_row("a")], is_valid=_always_valid, n_resamples=10)["model_answer"] == {
        "n_raw": 0, "micro_f1": None}


def test_reasoning_grounding_counts_quoted_evidence_and_repeated_lines():
    from core.evaluation.quality import reasoning_grounding

    narrative = "58-year-old with Type 2 diabetes with hyperglycemia.\nDenies chest pain."
    grounded = ('<think>\n"type 2 diabetes with  hyperglycemia" -> E11.65.\n"chest pain" -> R07.9 (invented).\n'
                '</think>\n{"icd10cm": ["E11.65", "R07.9"], "cpt": [], "hcpcs": []}')
    invented = '<think>\n"fever" -> R50.9.\n"fever" -> R50.9.\n"fever" -> R50.9.\n</think>\n{"icd10cm": ["R50.9", "I10"]}'
    out = reasoning_grounding([narrative, narrative, narrative], [grounded, invented, None])
    assert out["n_answers"] == 2 and out["n_codes"] == 4
    assert out["grounded_codes"] == 2  # E11.65 and R07.9 quote the narrative; R50.9 and I10 do not
    assert out["answers_with_a_line_repeated_more_than_twice"] == 1 and out["max_line_repeats"] == 3
    # a quote without a word of three letters or digits grounds nothing, even when it occurs in the narrative
    empty = '<think>\n"R " -> K35.80.\n"58" -> E11.9.\n"Denies chest pain" -> R07.9.\n</think>\n{"icd10cm": ["K35.80", "E11.9", "R07.9"]}'
    assert reasoning_grounding([narrative], [empty])["grounded_codes"] == 1
    assert "supported_codes" not in out  # judged only with a code set


def test_reasoning_support_needs_the_quote_to_be_the_codes_evidence():
    """Grounded (the quote occurs in the narrative) is not enough to be supported: a denied finding, or the words
    of another code the reasoning names, are no evidence of the code (core.evidence.quoted_evidence)."""
    from core.codes import get_codeset
    from core.evaluation.quality import reasoning_grounding

    narrative = ("58-year-old with type 2 diabetes without complications. Essential hypertension on lisinopril.\n"
                 "He did not report any episodes of chest pain.")
    raw = ('<think>\n"type 2 diabetes without complications" -> E11.9.\n"essential hypertension" -> I10; '
           '"type 2 diabetes" -> E78.5.\n"chest pain" -> R07.9.\n</think>\n'
           '{"icd10cm": ["E11.9", "I10", "E78.5", "R07.9"], "cpt": [], "hcpcs": []}')
    out = reasoning_grounding([narrative], [raw], get_codeset())
    assert out["n_codes"] == 4 and out["grounded_codes"] == 4  # every code quotes words of the narrative
    # E78.5 quotes E11.9's words, R07.9 a denied finding: only E11.9 and I10 are supported
    assert out["supported_codes"] == 2 and out["supported_rate"] == 0.5
