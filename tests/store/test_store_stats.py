"""Annotation statistics and Cohen's kappa (checked against scikit-learn)."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import cohen_kappa_score
from store_helpers import case_with_prediction

from core.store import next_case, save_review, set_min_submitted, stats
from core.store.agreement import code_set_kappa, kappa_from_counts, kappa_from_labels, mean_jaccard


def test_kappa_of_a_known_table():
    result = kappa_from_counts(both=20, a_only=5, b_only=10, neither=15)
    assert (result.observed, result.expected, result.items) == (0.7, 0.5, 50)
    assert result.kappa == pytest.approx(0.4)
    assert kappa_from_counts(0, 0, 0, 0).kappa is None
    assert kappa_from_counts(7, 0, 0, 0).kappa == 1.0  # degenerate but perfect


def test_label_kappa_matches_sklearn():
    rng = random.Random(3)
    a = [rng.choice(["accept", "correct", "reject"]) for _ in range(200)]
    b = [x if rng.random() < 0.6 else rng.choice(["accept", "correct", "reject"]) for x in a]
    assert kappa_from_labels(a, b).kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-6)


def test_code_set_kappa_matches_sklearn_over_the_expanded_items():
    rng = random.Random(7)
    vocab = [f"icd10cm:C{i}" for i in range(12)]
    pairs = []
    for _ in range(30):
        a = set(rng.sample(vocab, rng.randint(1, 4)))
        b = {c for c in a if rng.random() < 0.7} | set(rng.sample(vocab, rng.randint(0, 2)))
        pairs.append((a, b))
    union = sorted(set().union(*(a | b for a, b in pairs)))
    labels_a = [code in a for a, _ in pairs for code in union]
    labels_b = [code in b for _, b in pairs for code in union]
    result = code_set_kappa(pairs)
    assert result.items == len(pairs) * len(union)
    assert result.kappa == pytest.approx(cohen_kappa_score(labels_a, labels_b), abs=1e-6)
    assert code_set_kappa([({"x"}, {"x"})]).kappa == 1.0
    assert mean_jaccard([({"a", "b"}, {"b"}), (set(), set())]) == pytest.approx(0.75)


def _review_pair(case_id, first, second):
    for annotator, (decision, codes) in zip(("alice", "bob"), (first, second), strict=True):
        save_review(case_id, annotator, decision, corrected_codes=codes)


def test_stats_counts_and_agreement(store):
    cases = [case_with_prediction(external_id=str(i))[0] for i in range(4)]
    set_min_submitted(2, case_ids=cases[:3])  # double annotation: alice and bob both submit these
    _review_pair(cases[0], ("accept", None), ("accept", None))
    _review_pair(cases[1], ("accept", None), ("correct", {"icd10cm": ["E11.65", "I10"], "cpt": ["99213"]}))
    _review_pair(cases[2], ("reject", None), ("accept", None))
    save_review(cases[3], "alice", "skip")
    assert next_case("carol").case_id == cases[3]

    data = stats()
    assert data["cases"] == {"total": 4, "open": 1, "done": 3, "leased": 1, "double_annotation": 3,
                             "submissions_needed": 7, "submissions_done": 6}
    assert data["by_status"] == {"draft": 0, "submitted": 6, "discarded": 0, "skipped": 1}
    assert data["by_decision"] == {"accept": 4, "correct": 1, "reject": 1, "skip": 1}
    assert data["by_annotator"]["alice"]["total"] == 4 and data["by_annotator"]["bob"]["correct"] == 1
    assert data["by_system"]["icd10cm"] == {"final_codes": 4 + 2, "corrected_reviews": 1}  # 4 accepts + 1 correction
    assert data["by_system"]["cpt"] == {"final_codes": 5, "corrected_reviews": 0}
    assert data["preference_pairs"] == 1

    agreement = data["agreement"]
    assert agreement["double_reviewed_cases"] == 3
    assert agreement["codes"]["cases"] == 2  # the reject gives no code set
    a_sets = [{"icd10cm:E11.65", "cpt:99213"}] * 2
    b_sets = [{"icd10cm:E11.65", "cpt:99213"}, {"icd10cm:E11.65", "icd10cm:I10", "cpt:99213"}]
    assert agreement["codes"]["kappa"] == code_set_kappa(list(zip(a_sets, b_sets, strict=True))).kappa
    expected_decisions = kappa_from_labels(["accept", "accept", "reject"], ["accept", "correct", "accept"])
    assert agreement["decision"] == expected_decisions.to_dict()
