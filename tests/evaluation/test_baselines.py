import pytest

from core.codes.models import SearchHit
from core.evaluation import evaluate_predictions
from core.evaluation.baselines import BASELINES, needs_training, run_baseline
from core.evaluation.baselines.bm25 import MIN_SENTENCE_WORDS, BM25Baseline
from core.evaluation.baselines.common import codes_per_case
from core.text import split_sentences

PREDICTION_KEYS = {"id", "codes", "ranked", "reasoning", "raw", "valid", "latency_s", "error"}


def _case(case_id, narrative, icd, cpt=()):
    return {"id": case_id, "narrative": narrative, "codes": {"icd10cm": list(icd), "cpt": list(cpt), "hcpcs": []}}


TRAIN = [
    _case("t1", "type 2 diabetes mellitus without complications, metformin", ["E11.9", "I10"], ["99214"]),
    _case("t2", "diabetes follow up, glucose high, type 2 diabetes", ["E11.9"], ["99214"]),
    _case("t3", "asthma attack with wheezing, inhaler given", ["J45.909", "I10"], ["99213"]),
    _case("t4", "asthma wheezing and shortness of breath", ["J45.909"], ["99213"]),
    _case("t5", "hypertension and type 2 diabetes", ["I10", "E11.9"], ["99214"]),
    _case("t6", "wheezing asthma exacerbation, albuterol", ["J45.909"], []),
]
TEST = [
    _case("d1", "type 2 diabetes, metformin refill", ["E11.9"]),
    _case("d2", "asthma with wheezing today", ["J45.909"]),
]


def _valid(code, system):
    return True


def test_codes_per_case_is_the_rounded_mean():
    assert codes_per_case(TRAIN, ["icd10cm", "cpt", "hcpcs"]) == {"icd10cm": 2, "cpt": 1, "hcpcs": 0}


def test_majority_code_answers_the_most_frequent_code():
    rows = run_baseline("majority_code", TEST, TRAIN, ["icd10cm", "cpt"], is_valid=_valid)
    assert [set(r) for r in rows] == [PREDICTION_KEYS, PREDICTION_KEYS]
    # E11.9, I10 and J45.909 each occur 3 times: ties go in code order
    assert rows[0]["codes"] == {"icd10cm": ["E11.9"], "cpt": ["99214"]}
    assert rows[1]["codes"] == rows[0]["codes"] and rows[0]["ranked"]["icd10cm"] == [["E11.9", 0.5]]
    assert rows[0]["valid"] is True and rows[0]["error"] is None


def test_frequency_topk_ranks_by_train_frequency():
    rows = run_baseline("frequency_topk", TEST, TRAIN, ["icd10cm"], is_valid=_valid)
    assert rows[0]["codes"]["icd10cm"] == ["E11.9", "I10"]
    assert [c for c, _ in rows[0]["ranked"]["icd10cm"]] == ["E11.9", "I10", "J45.909"]


def test_tfidf_lr_learns_from_the_narrative():
    rows = run_baseline("tfidf_lr", TEST, TRAIN, ["icd10cm", "cpt"], is_valid=_valid)
    assert rows[0]["ranked"]["icd10cm"][0][0] == "E11.9"
    assert rows[1]["ranked"]["icd10cm"][0][0] == "J45.909"
    assert rows[1]["ranked"]["cpt"][0][0] == "99213"
    scores = evaluate_predictions(TEST, rows, systems=["icd10cm"], is_valid=_valid, n_resamples=10)
    assert scores["metrics"]["icd10cm"]["map"] == 1.0
    assert all(r["latency_s"] > 0 for r in rows)


def test_learning_baselines_require_train_cases():
    assert needs_training("tfidf_lr") and not needs_training("bm25")
    with pytest.raises(ValueError, match="--train"):
        run_baseline("frequency_topk", TEST, None, ["icd10cm"], is_valid=_valid)
    with pytest.raises(ValueError, match="unknown baseline"):
        run_baseline("gpt", TEST, TRAIN, ["icd10cm"], is_valid=_valid)
    assert set(BASELINES) == {"majority_code", "frequency_topk", "bm25", "tfidf_lr"}


class FakeCodeSet:
    """search() returns canned hits keyed by a word of the query."""

    HITS = {"diabetes": [("E11.9", 3.0), ("E10.9", 1.0)], "wheezing": [("R06.2", 2.0), ("J45.909", 1.5)]}

    def search(self, text, system=None, k=10):
        hits = [SearchHit(code, "icd10cm", "", score)
                for word, found in self.HITS.items() if word in text.lower() for code, score in found]
        return hits[:k] if system in (None, "icd10cm") else []


def test_bm25_sums_scores_over_sentences():
    case = _case("x", "Known type 2 diabetes here. Mild wheezing on exam today.\nDiabetes is well controlled now.", [])
    ranked = BM25Baseline(["icd10cm"], codeset=FakeCodeSet()).rank(case)["icd10cm"]
    assert ranked == [("E11.9", 6.0), ("E10.9", 2.0), ("R06.2", 2.0), ("J45.909", 1.5)]


def test_bm25_runs_without_train_and_uses_default_cutoffs():
    baseline = BM25Baseline(["icd10cm", "cpt"], codeset=FakeCodeSet())
    rows = baseline.predict([_case("x", "type 2 diabetes with wheezing noted", [])])
    assert rows[0]["codes"] == {"icd10cm": ["E11.9", "R06.2", "J45.909"], "cpt": []}


def test_split_sentences_drops_fragments():
    assert split_sentences("Pain. The patient has fever; cough started today.\nOK", MIN_SENTENCE_WORDS) == [
        "The patient has fever;", "cough started today."
    ]
