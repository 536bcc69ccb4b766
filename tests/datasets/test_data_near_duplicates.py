from core.datasets.near_duplicates import jaccard, near_duplicate_pairs, shingles


def test_near_duplicates_are_found_and_distinct_texts_are_not():
    base = ("58 year old woman with type 2 diabetes and hypertension seen for follow up today, "
            "A1c obtained in clinic, medications refilled, return in three months for recheck")
    texts = [base, base.replace("58", "59"), "ED visit for an ankle sprain after a fall, x-ray negative",
             "Procedure note: knee injection with triamcinolone, tolerated well"]
    pairs = near_duplicate_pairs(texts, threshold=0.8)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert jaccard(shingles(texts[0]), shingles(texts[2])) < 0.1


def test_many_texts_run_without_quadratic_blowup():
    texts = [f"note {i} patient {i * 7} with condition {i % 13} and plan {i * 3}" for i in range(5000)]
    assert near_duplicate_pairs(texts) == []
