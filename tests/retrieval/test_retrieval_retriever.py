import json

import pytest

from core.prompts import SYSTEMS, Candidate
from core.retrieval import (
    Retriever,
    RetrieverFormatError,
    cross_fit,
    cross_fit_candidates,
    default_retriever,
    fit_retriever,
)
from core.retrieval.fitting import FitConfig

NEW_NOTE = "A 55 year old woman. Iron deficiency anemia, hemoglobin 8.1. Essential hypertension, blood pressure 160/95."


def test_fitted_retriever_finds_the_gold_codes(fitted_dir):
    retriever = Retriever.load(fitted_dir)
    ranked = retriever.rank(NEW_NOTE, k=5)
    assert set(ranked) == set(SYSTEMS) and all(len(v) <= 5 for v in ranked.values())
    assert {code for code, _ in ranked["icd10cm"][:2]} == {"D50.9", "I10"}
    scores = [score for _, score in ranked["icd10cm"]]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)


def test_retrieve_gives_described_candidates_per_system(fitted_dir):
    candidates = Retriever.load(fitted_dir).retrieve(NEW_NOTE, k=3)
    assert all(isinstance(c, Candidate) and c.description for c in candidates)
    for system in SYSTEMS:
        assert len([c for c in candidates if c.system == system]) <= 3
    assert [c.system for c in candidates] == sorted((c.system for c in candidates), key=SYSTEMS.index)
    assert candidates[0].code in {"D50.9", "I10"}


def test_saved_files_are_compact_and_reload_identically(fitted_dir, small_cases):
    files = {p.name for p in (fitted_dir / "retriever").iterdir()}
    assert files == {"manifest.json", "vocabulary.json", "arrays.npz"}
    assert sum(p.stat().st_size for p in (fitted_dir / "retriever").iterdir()) < 2_000_000
    first, second = Retriever.load(fitted_dir), Retriever.load(fitted_dir)
    assert first.rank(small_cases[0]["narrative"]) == second.rank(small_cases[0]["narrative"])
    assert first.info["cases"] == len(small_cases)


def test_default_retriever_loads_fitted_or_falls_back_to_bm25(fitted_dir, tmp_path):
    fitted = default_retriever(fitted_dir)
    assert fitted.fitted and default_retriever(fitted_dir) is fitted
    fallback = default_retriever(tmp_path)
    assert not fallback.fitted
    ranked = fallback.rank("Essential hypertension.", k=5)
    assert "I10" in [code for code, _ in ranked["icd10cm"]]
    assert fallback.rank("   ") == {system: [] for system in SYSTEMS}


def test_unreadable_or_foreign_folder_is_a_clear_error(fitted_dir, tmp_path):
    broken = tmp_path / "retriever"
    broken.mkdir()
    (broken / "manifest.json").write_text(json.dumps({"format": "other", "version": 9}))
    (broken / "vocabulary.json").write_text("[]")
    (broken / "arrays.npz").write_bytes((fitted_dir / "retriever" / "arrays.npz").read_bytes())
    with pytest.raises(RetrieverFormatError, match="format"):
        Retriever.load(tmp_path)
    (broken / "arrays.npz").write_bytes(b"not a zip")
    with pytest.raises(RetrieverFormatError, match="cannot read"):
        Retriever.load(tmp_path)


def test_bad_cases_name_the_case(tmp_path, make_cases):
    cases = make_cases(6)
    cases[2] = {**cases[2], "narrative": ""}
    with pytest.raises(ValueError, match="case-2"):
        fit_retriever(cases, tmp_path, FitConfig(folds=2))
    with pytest.raises(ValueError, match="only a fitted retriever"):
        Retriever().save(tmp_path)


def test_cross_fit_candidates_never_learn_from_the_case_itself(make_cases):
    cases = make_cases(30, seed=3)
    # a code only the first case has, with no word of its description in the narrative
    cases[0] = {**cases[0], "codes": {**cases[0]["codes"], "icd10cm": cases[0]["codes"]["icd10cm"] + ["Z99.89"]}}
    candidates = cross_fit_candidates(cases, folds=3, k=4)
    assert len(candidates) == len(cases)
    assert "Z99.89" not in [c.code for c in candidates[0]]
    for case, found in zip(cases, candidates, strict=True):
        assert {c.code for c in found if c.system == "icd10cm"} >= set(case["codes"]["icd10cm"]) - {"Z99.89"}
    self_fitted = fit_retriever(cases, None, FitConfig(folds=3))
    assert "Z99.89" in [code for code, _ in self_fitted.rank(cases[0]["narrative"], k=10)["icd10cm"]]


def test_candidates_are_billable_forms_of_learned_codes():
    from core.codes import get_codeset
    from core.retrieval.retriever import candidates_from_ranking

    ranked = {"icd10cm": [("R51", 0.9), ("R51.9", 0.8), ("K56.60", 0.7), ("I10", 0.5)], "cpt": [("00000", 0.4)]}
    candidates = candidates_from_ranking(get_codeset(), ranked, k=8)
    assert [(c.code, c.score) for c in candidates] == [("R51.9", 0.9), ("I10", 0.5)]
    assert candidates[0].description


def test_one_cross_fit_serves_the_retriever_and_the_candidates(monkeypatch, make_cases):
    from core.retrieval import fitting

    cases = make_cases(12, seed=5)
    calls = []
    original = fitting.cross_fit_pools
    monkeypatch.setattr(fitting, "cross_fit_pools", lambda *a: calls.append(1) or original(*a))
    fitted = cross_fit(cases, FitConfig(folds=3))
    fit_retriever(cases, None, fitted=fitted)
    with_fit = cross_fit_candidates(cases, folds=3, k=2, fitted=fitted)
    assert len(calls) == 1  # passed along, not refitted
    assert cross_fit_candidates(cases, folds=3, k=2) == with_fit  # without it: fitted again, same result
    assert len(calls) == 2
    with pytest.raises(ValueError, match="other cases"):
        cross_fit_candidates(cases[:-1], folds=3, k=2, fitted=fitted)
    with pytest.raises(ValueError, match="CrossFit was made with"):
        cross_fit_candidates(cases, folds=5, k=2, fitted=fitted)
    with pytest.raises(ValueError, match="CrossFit was made with"):
        fit_retriever(cases, None, FitConfig(folds=4), fitted=fitted)
    assert len(calls) == 2
