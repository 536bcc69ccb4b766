"""What all baselines share: the Baseline interface, per-system cutoffs, prediction rows."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence

RANK_DEPTH = 50  # length of each system's ranked list (for MAP)
DEFAULT_CODES_PER_CASE = {"icd10cm": 3, "cpt": 1, "hcpcs": 1}


class Baseline:
    """A non-LLM coder: optionally `fit` on gold train cases, then `predict` prediction rows."""

    name = "baseline"
    needs_training = False

    def __init__(self, systems: Sequence[str]):
        self.systems = list(systems)
        self.codes_per_case = {s: DEFAULT_CODES_PER_CASE.get(s, 1) for s in self.systems}

    def fit(self, train_cases: Sequence[dict]) -> Baseline:
        self.codes_per_case = codes_per_case(train_cases, self.systems)
        return self

    def rank(self, case: dict) -> dict[str, list[tuple[str, float]]]:
        raise NotImplementedError

    def predict(self, cases: Sequence[dict], progress: Callable[[int], None] | None = None) -> list[dict]:
        """One prediction row (DESIGN.md contract) per case, same order."""
        rows = []
        for case in cases:
            start = time.perf_counter()
            ranked = self.rank(case)
            codes = {s: [code for code, _ in ranked.get(s, [])[: self.codes_per_case.get(s, 0)]] for s in self.systems}
            rows.append(prediction_row(case["id"], codes, ranked, self.explain(codes), time.perf_counter() - start))
            if progress:
                progress(1)
        return rows

    def explain(self, codes: dict[str, list[str]]) -> str:
        n = sum(len(v) for v in codes.values())
        return f"{self.name} baseline: {n} code(s) taken from the top of its ranked list (no model reasoning)."


def codes_per_case(train_cases: Sequence[dict], systems: Sequence[str]) -> dict[str, int]:
    """Rounded mean number of gold codes per train case, per system (at least 1 when the system occurs)."""
    n = max(len(train_cases), 1)
    out = {}
    for system in systems:
        total = sum(len(set((case.get("codes") or {}).get(system, []))) for case in train_cases)
        out[system] = max(1, round(total / n)) if total else 0
    return out


def code_frequencies(train_cases: Sequence[dict], system: str) -> Counter:
    """How many train cases hold each code of one system."""
    return Counter(code for case in train_cases for code in set((case.get("codes") or {}).get(system, [])))


def prediction_row(
    case_id: object, codes: dict[str, list[str]], ranked: dict[str, list[tuple[str, float]]],
    reasoning: str, latency_s: float,
) -> dict:
    """A predictions-JSONL row; `valid` is filled by `mark_validity`."""
    return {
        "id": str(case_id),
        "codes": {s: list(v) for s, v in codes.items()},
        "ranked": {s: [[code, round(float(score), 6)] for code, score in v[:RANK_DEPTH]] for s, v in ranked.items()},
        "reasoning": reasoning,
        "raw": "",
        "valid": None,
        "latency_s": latency_s,
        "error": None,
    }


def mark_validity(rows: list[dict], is_valid: Callable[[str, str], bool]) -> list[dict]:
    """Set each row's `valid`: every answered code valid and billable."""
    for row in rows:
        row["valid"] = all(is_valid(code, system) for system, codes in row["codes"].items() for code in codes)
    return rows
