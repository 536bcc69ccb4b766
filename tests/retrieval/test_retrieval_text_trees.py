import numpy as np
import pytest

from core.retrieval.combiner import CombinerConfig, TreeEnsemble
from core.retrieval.fitting import fold_numbers
from core.text import WINDOW_WORDS, content_stems, split_units


def test_split_units_keeps_sentences_and_windows_long_ones():
    long_sentence = " ".join(f"word{i}" for i in range(60))
    units = split_units(f"Fever since Monday.\nCough; no pain! {long_sentence}.")
    assert units[:3] == ["Fever since Monday.", "Cough;", "no pain!"]
    windows = units[3:]
    assert len(windows) >= 3 and all(len(w.split()) <= WINDOW_WORDS for w in windows)
    assert "word0" in windows[0] and "word59." in windows[-1]


def test_content_stems_drop_unspecific_words():
    assert content_stems("Pain, unspecified") == content_stems("pains")
    assert content_stems("") == set()


def test_tree_export_matches_sklearn():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    features = rng.normal(size=(600, 4))
    features[rng.random(600) < 0.05, 2] = np.nan
    targets = (features[:, 0] + np.nan_to_num(features[:, 2]) * features[:, 1] > 0.3).astype(int)
    config = CombinerConfig(iterations=30, min_samples_leaf=10)
    ensemble = TreeEnsemble.fit(features, targets, ["a", "b", "c", "d"], config)
    reference = HistGradientBoostingClassifier(max_iter=30, learning_rate=config.learning_rate,
                                               max_leaf_nodes=config.max_leaf_nodes, min_samples_leaf=10,
                                               early_stopping=False, random_state=0).fit(features, targets)
    np.testing.assert_allclose(ensemble.predict_logit(features), reference.decision_function(features), rtol=1e-5, atol=1e-5)
    header, arrays = ensemble.to_arrays()
    again = TreeEnsemble.from_arrays(header, arrays)
    np.testing.assert_allclose(again.predict_logit(features[:50]), ensemble.predict_logit(features[:50]))


def test_tree_ensemble_needs_both_classes():
    with pytest.raises(ValueError, match="both gold and non-gold"):
        TreeEnsemble.fit(np.zeros((10, 2)), np.zeros(10, dtype=bool), ["a", "b"])


def test_fold_numbers_are_balanced_and_seeded():
    numbers = fold_numbers(11, 3, seed=1)
    assert sorted(numbers.count(f) for f in range(3)) == [3, 4, 4]
    assert numbers == fold_numbers(11, 3, seed=1) and numbers != fold_numbers(11, 3, seed=2)
    with pytest.raises(ValueError, match="folds"):
        fold_numbers(2, 5, seed=0)
