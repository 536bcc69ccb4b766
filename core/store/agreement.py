"""Inter-annotator agreement: Cohen's kappa over code sets and over decisions.

Code-set kappa (the definition used by `thce annotations stats`): take every case reviewed by two
different annotators (the first two, when there are more) where both reviews yield a code set (accept ->
the model's codes, correct -> the corrected codes; reject and skip yield none and leave the case out).
Let V be the union of all codes (system-qualified, e.g. "icd10cm:E11.9") either annotator gave on any
of these cases. Each (case, code in V) is one binary item "does the annotator assign this code?", and
Cohen's kappa is computed over all items:  kappa = (p_o - p_e) / (1 - p_e),  p_o the share of items
where both agree, p_e = p_a * p_b + (1 - p_a) * (1 - p_b) with p_a, p_b each annotator's rate of
"assigned". Items both leave out count as agreement, so the value grows with the size of V; the mean
per-case Jaccard overlap is reported next to it as a vocabulary-free check. When p_e = 1 (a degenerate
table) kappa is 1.0 if p_o = 1, else 0.0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass


@dataclass
class Kappa:
    kappa: float | None
    observed: float | None
    expected: float | None
    items: int

    def to_dict(self) -> dict:
        return asdict(self)


def _kappa(observed: float, expected: float) -> float:
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


def kappa_from_counts(both: int, a_only: int, b_only: int, neither: int) -> Kappa:
    """Cohen's kappa of a 2x2 table of binary judgements (assigned / not assigned)."""
    n = both + a_only + b_only + neither
    if n == 0:
        return Kappa(None, None, None, 0)
    observed = (both + neither) / n
    rate_a, rate_b = (both + a_only) / n, (both + b_only) / n
    expected = rate_a * rate_b + (1 - rate_a) * (1 - rate_b)
    return Kappa(round(_kappa(observed, expected), 6), round(observed, 6), round(expected, 6), n)


def kappa_from_labels(labels_a: list[str], labels_b: list[str]) -> Kappa:
    """Cohen's kappa of two annotators' categorical labels on the same items."""
    if len(labels_a) != len(labels_b):
        raise ValueError("both annotators must label the same items")
    n = len(labels_a)
    if n == 0:
        return Kappa(None, None, None, 0)
    observed = sum(a == b for a, b in zip(labels_a, labels_b, strict=True)) / n
    count_a, count_b = Counter(labels_a), Counter(labels_b)
    expected = sum(count_a[k] * count_b[k] for k in count_a) / (n * n)
    return Kappa(round(_kappa(observed, expected), 6), round(observed, 6), round(expected, 6), n)


def code_set_kappa(pairs: list[tuple[set[str], set[str]]]) -> Kappa:
    """Kappa over per-code presence, items = cases x union of all codes (see the module docstring)."""
    vocabulary = set().union(*(a | b for a, b in pairs)) if pairs else set()
    both = sum(len(a & b) for a, b in pairs)
    a_only = sum(len(a - b) for a, b in pairs)
    b_only = sum(len(b - a) for a, b in pairs)
    neither = len(pairs) * len(vocabulary) - both - a_only - b_only
    return kappa_from_counts(both, a_only, b_only, neither)


def mean_jaccard(pairs: list[tuple[set[str], set[str]]]) -> float | None:
    if not pairs:
        return None
    scores = [len(a & b) / len(a | b) if a | b else 1.0 for a, b in pairs]
    return round(sum(scores) / len(scores), 6)
