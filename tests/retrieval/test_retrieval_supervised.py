import numpy as np
from scipy import sparse

from core.retrieval.supervised import SupervisedConfig, SupervisedScorer
from core.retrieval.term_precision import TermPrecision


def _fit(small_cases):
    narratives = [case["narrative"] for case in small_cases]
    labels = [[(s, c) for s, codes in case["codes"].items() for c in codes] for case in small_cases]
    return SupervisedScorer.fit(narratives, labels, SupervisedConfig())


def test_every_signal_ranks_the_theme_codes_first(small_cases):
    scorer = _fit(small_cases)
    scores = scorer.scores(["Iron deficiency anemia with hemoglobin 8.1, and essential hypertension."]).row(0)
    for values in (scores.ridge, scores.votes, scores.term_best):
        top = {scorer.labels[j] for j in np.argsort(-values, kind="stable")[:2]}
        assert top == {("icd10cm", "D50.9"), ("icd10cm", "I10")}
    assert scorer.counts[scorer.label_index[("cpt", "99214")]] > 0


def test_term_precision_counts_shared_narratives():
    presence = sparse.csr_matrix(np.array([[1, 1, 0], [1, 0, 1], [1, 1, 0], [0, 0, 1]]))
    targets = sparse.csr_matrix(np.array([[1, 0], [0, 1], [1, 0], [0, 1]]))
    table = TermPrecision.fit(presence, targets, min_support=2)
    best, strong = table.scores(sparse.csr_matrix(np.array([[0, 1, 0], [1, 0, 0]])))
    # term 1 is in 2 narratives, both with label 0: precision 2 / (2 + 1)
    np.testing.assert_allclose(best[0], [2 / 3, 0.0], rtol=1e-6)
    np.testing.assert_allclose(best[1], [2 / 4, 0.0], rtol=1e-6)  # label 1 shares term 0 only once: dropped
    assert strong[0].tolist() == [1.0, 0.0] and strong[1].tolist() == [1.0, 0.0]


def test_arrays_round_trip_keeps_scores(small_cases):
    scorer = _fit(small_cases)
    header, arrays = scorer.to_arrays()
    assert arrays["coefficients_int8"].dtype == np.int8 and arrays["train_data"].dtype == np.uint8
    again = SupervisedScorer.from_arrays(header, arrays)
    texts = ["Pneumonia on chest x-ray, office visit."]
    before, after = scorer.scores(texts), again.scores(texts)
    for name in ("ridge", "votes", "term_best", "term_strong"):
        np.testing.assert_allclose(getattr(before, name), getattr(after, name), atol=2e-2)
    assert again.labels == scorer.labels
