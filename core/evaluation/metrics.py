"""Set and ranking metrics for coding predictions (pure functions, no code-set access).

A "label" is whatever identifies one code: a code string inside one system, or a (system, code)
tuple when systems are pooled. Conventions (documented in docs/EVALUATION.md):

- predictions and gold are sets: duplicates count once;
- a ratio with a zero denominator is 0.0 (scikit-learn's `zero_division=0`), except that a case with
  empty gold AND empty prediction has per-case precision/recall/F1 1.0 (nothing to find, nothing
  claimed) and counts as an exact match;
- average precision (CodiEsp's official metric, trectools `get_map(trec_eval=False)`): the ranked
  list is taken in the given order, repeated codes keep their first rank, AP = sum of precision@k
  at each rank k holding a gold code / number of gold codes. A case with empty gold has no AP
  (None) and is left out of MAP, as in the official script, whose gold file has no row for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence

from core.counts import micro_counts, prf, ratio, set_counts  # noqa: F401 (re-exported: metrics' callers use them)

CATEGORY_LENGTH = 3


def canonical_code(code: object) -> str:
    """Trim and upper-case a code; both sides are expected to be normalized already."""
    return str(code).strip().upper()


def unique_in_order(items: Iterable[Hashable]) -> list:
    """Drop repeats, keeping the first occurrence (the official script's `keep='first'`)."""
    seen: set = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def code_category(code: str) -> str:
    """The ICD-10-CM category (first three characters, e.g. "E11.65" -> "E11")."""
    return code[:CATEGORY_LENGTH]


def case_prf(gold: set, predicted: set) -> tuple[float, float, float]:
    """Per-case precision, recall, F1; both sets empty scores 1.0 each."""
    if not gold and not predicted:
        return 1.0, 1.0, 1.0
    return prf(*set_counts(gold, predicted))


def average_precision(ranked: Sequence[Hashable], gold: set) -> float | None:
    """CodiEsp/trectools average precision of one ranked list; None when gold is empty."""
    if not gold:
        return None
    hits, total = 0, 0.0
    for rank, label in enumerate(unique_in_order(ranked), start=1):
        if label in gold:
            hits += 1
            total += hits / rank
    return total / len(gold)


def per_label_counts(golds: Sequence[set], predictions: Sequence[set]) -> dict[Hashable, list[int]]:
    """label -> [tp, fp, fn] summed over cases."""
    counts: dict[Hashable, list[int]] = {}
    for gold, predicted in zip(golds, predictions, strict=True):
        for label in gold | predicted:
            row = counts.setdefault(label, [0, 0, 0])
            row[0 if label in gold and label in predicted else 1 if label in predicted else 2] += 1
    return counts


def macro_scores(golds: Sequence[set], predictions: Sequence[set]) -> tuple[float, float, float]:
    """Unweighted mean over labels seen in gold or predictions (scikit-learn's macro average)."""
    counts = per_label_counts(golds, predictions)
    if not counts:
        return 0.0, 0.0, 0.0
    scores = [prf(*row) for row in counts.values()]
    n = len(scores)
    return tuple(sum(s[i] for s in scores) / n for i in range(3))  # type: ignore[return-value]


def mean_or_none(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def score_sets(
    golds: Sequence[set],
    predictions: Sequence[set],
    rankings: Sequence[Sequence[Hashable]],
    category_of: Callable[[Hashable], Hashable] = code_category,
) -> dict:
    """All set and ranking metrics over aligned per-case gold sets, predicted sets and ranked lists."""
    tp, fp, fn = micro_counts(golds, predictions)
    micro = prf(tp, fp, fn)
    macro = macro_scores(golds, predictions)
    category = prf(*micro_counts(
        [{category_of(c) for c in g} for g in golds], [{category_of(c) for c in p} for p in predictions]
    ))
    aps = [average_precision(r, g) for r, g in zip(rankings, golds, strict=True)]
    return {
        "n_cases": len(golds),
        "n_gold": sum(len(g) for g in golds),
        "n_predicted": sum(len(p) for p in predictions),
        "tp": tp, "fp": fp, "fn": fn,
        "micro_precision": micro[0], "micro_recall": micro[1], "micro_f1": micro[2],
        "macro_precision": macro[0], "macro_recall": macro[1], "macro_f1": macro[2],
        "exact_match": ratio(sum(g == p for g, p in zip(golds, predictions, strict=True)), len(golds)),
        "category_precision": category[0], "category_recall": category[1], "category_f1": category[2],
        "map": mean_or_none(aps),
        "n_map_cases": sum(ap is not None for ap in aps),
    }


def frequency_bucket(count: int) -> str:
    """Bucket label of a code by how often it is gold in the evaluated set."""
    for upper, label in ((1, "1"), (4, "2-4"), (9, "5-9")):
        if count <= upper:
            return label
    return "10+"


FREQUENCY_BUCKETS: tuple[str, ...] = ("1", "2-4", "5-9", "10+")


def f1_by_frequency(golds: Sequence[set], predictions: Sequence[set]) -> dict[str, dict]:
    """Micro P/R/F1 of gold codes grouped by their gold frequency (predicted-only codes are left out)."""
    support = Counter(label for gold in golds for label in gold)
    counts = per_label_counts(golds, predictions)
    buckets: dict[str, list[int]] = {name: [0, 0, 0, 0] for name in FREQUENCY_BUCKETS}
    for label, freq in support.items():
        row = buckets[frequency_bucket(freq)]
        for i, value in enumerate(counts[label]):
            row[i] += value
        row[3] += 1
    out = {}
    for name, (tp, fp, fn, n_codes) in buckets.items():
        p, r, f1 = prf(tp, fp, fn)
        out[name] = {"n_codes": n_codes, "tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1}
    return out
