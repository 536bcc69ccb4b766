import os
from pathlib import Path

import pytest

from core.codes import get_codeset
from core.paths import REPO_ROOT
from core.retrieval.coverage import CoverageIndex
from core.retrieval.lexical import category_best, match_units
from core.text import content_stems, is_affirmed, split_units


def test_is_affirmed_flags_negation_and_family_history():
    assert is_affirmed("Chest x-ray showed right lower lobe pneumonia.")
    assert not is_affirmed("She denies chest pain.")
    assert not is_affirmed("No fever.")
    assert not is_affirmed("FHx: colon cancer in brother.")
    assert is_affirmed("Nothing notable.")  # 'no' only as a whole word


def test_lexical_matches_aggregate_over_units():
    units = split_units("Essential hypertension. Long-standing essential hypertension on lisinopril.")
    matches = match_units(get_codeset(), units, "icd10cm")
    assert matches["I10"].units == 2 and matches["I10"].rank == 1
    assert matches["I10"].total > matches["I10"].best > 0
    assert category_best(matches)["I10"] == matches["I10"].best


def test_coverage_counts_description_words_per_unit():
    index = CoverageIndex(get_codeset())
    units = ["Iron deficiency found.", "Anemia noted.", "No anemia."]
    words = [content_stems(u) for u in units]
    cover = index.coverage("D50.9", "icd10cm", set().union(*words), words, [is_affirmed(u) for u in units])
    assert cover.description == 1.0  # "Iron deficiency anemia, unspecified": all specific words somewhere
    assert cover.best_unit == pytest.approx(2 / 3)
    assert cover.best_affirmed_unit == pytest.approx(2 / 3)
    unknown = index.coverage("Q99.999", "icd10cm", set(), words, [True] * 3)
    assert unknown.words == 0 and unknown.best_unit == 0.0


def test_candidates_recall_on_held_out_synthetic_cases():
    from core.datasets import load_cases
    from core.retrieval import fit_retriever
    from core.retrieval.fitting import FitConfig

    train = load_cases("synthetic:150:0")
    seen = {case["narrative"] for case in train}
    held_out = [case for case in load_cases("synthetic:30:1") if case["narrative"] not in seen]
    retriever = fit_retriever(train, None, FitConfig(folds=3))
    found = total = 0
    for case in held_out:
        got = {(c.system, c.code) for c in retriever.retrieve(case["narrative"], k=8)}
        gold = {(system, code) for system, codes in case["codes"].items() for code in codes}
        found, total = found + len(gold & got), total + len(gold)
    assert total > 40 and found / total >= 0.85


CODIESP = Path(os.environ.get("THCE_CODIESP_DIR") or REPO_ROOT.parent / "shared" / "datasets" / "codiesp")


@pytest.mark.heavy
@pytest.mark.skipif(not (CODIESP / "dev").is_dir(), reason="CodiEsp not available (set THCE_CODIESP_DIR)")
def test_codiesp_dev_map_beats_the_target(tmp_path):
    import numpy as np

    from core.datasets import load_cases
    from core.evaluation.metrics import average_precision
    from core.retrieval import fit_retriever

    train, dev = load_cases(f"codiesp:{CODIESP / 'train'}"), load_cases(f"codiesp:{CODIESP / 'dev'}")
    retriever = fit_retriever(train, tmp_path)
    scores = [average_precision([c for c, _ in retriever.rank(case["narrative"], 50)["icd10cm"]],
                                set(case["codes"]["icd10cm"])) for case in dev]
    assert float(np.mean([s for s in scores if s is not None])) >= 0.40
