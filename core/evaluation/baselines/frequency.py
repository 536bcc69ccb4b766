"""Frequency baselines: the same answer for every case, learned from gold train codes."""

from __future__ import annotations

from collections.abc import Sequence

from core.evaluation.baselines.common import RANK_DEPTH, Baseline, code_frequencies


class FrequencyTopK(Baseline):
    """Answers each system's k most frequent train codes (k = mean codes per train case)."""

    name = "frequency_topk"
    needs_training = True

    def fit(self, train_cases: Sequence[dict]) -> FrequencyTopK:
        super().fit(train_cases)
        n = max(len(train_cases), 1)
        self.ranking = {}
        for system in self.systems:
            counts = code_frequencies(train_cases, system)
            ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))  # ties: code order
            self.ranking[system] = [(code, count / n) for code, count in ordered[:RANK_DEPTH]]
        return self

    def rank(self, case: dict) -> dict[str, list[tuple[str, float]]]:
        return self.ranking


class MajorityCode(FrequencyTopK):
    """Answers each system's single most frequent train code."""

    name = "majority_code"

    def fit(self, train_cases: Sequence[dict]) -> MajorityCode:
        super().fit(train_cases)
        self.ranking = {s: ranked[:1] for s, ranked in self.ranking.items()}
        self.codes_per_case = {s: min(1, k) for s, k in self.codes_per_case.items()}
        return self
