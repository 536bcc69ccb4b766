"""Candidate pool and per-candidate features of a narrative: the union of the codes the supervised,
neighbour, term-precision and lexical signals rank highest, each described by all signals (what the learned
scorer reads)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.prompts import SYSTEMS
from core.retrieval.coverage import CoverageIndex
from core.retrieval.lexical import LexicalMatch, category_best, match_units
from core.retrieval.supervised import SupervisedScorer, SupervisedScores
from core.text import content_stems, is_affirmed, split_units

FEATURE_NAMES = [
    "system", "ridge", "ridge_rank", "neighbours", "neighbours_rank", "term_best", "term_strong", "train_count",
    "category_ridge", "lexical_best", "lexical_total", "lexical_units", "lexical_reciprocal", "lexical_rank",
    "category_lexical", "coverage_description", "coverage_best_term", "coverage_best_unit",
    "coverage_affirmed_unit", "description_words", "billable", "known", "narrative_words", "nearest_case",
]
POOL_SIZES = {"ridge": 100, "votes": 50, "term_best": 50}  # best codes per system taken from each signal
LEXICAL_POOL = 100
UNRANKED = 1000


@dataclass
class CandidatePool:
    """The candidates of one narrative: (system, code) keys and a feature row per key."""

    keys: list[tuple[str, str]]
    features: np.ndarray  # (len(keys), len(FEATURE_NAMES))

    def column(self, name: str) -> np.ndarray:
        return self.features[:, FEATURE_NAMES.index(name)]


class LearnedSignals:
    """The supervised scores of one narrative, arranged for candidate lookup."""

    def __init__(self, scorer: SupervisedScorer | None, scores: SupervisedScores):
        self.scorer, self.scores = scorer, scores
        self.labels = scorer.labels if scorer is not None else []
        self.orders = {name: np.argsort(-getattr(scores, name), kind="stable") for name in POOL_SIZES}
        self.ranks = {name: {int(j): r for r, j in enumerate(self.orders[name][:UNRANKED], 1)}
                      for name in ("ridge", "votes")}
        self.category_ridge: dict[str, float] = {}
        for j in self.orders["ridge"][:UNRANKED]:
            category = self.labels[j][1][:3]
            self.category_ridge[category] = self.category_ridge.get(category, 0.0) + max(0.0, float(scores.ridge[j]))

    def top_codes(self, system: str) -> list[str]:
        codes = []
        for name, size in POOL_SIZES.items():
            values = getattr(self.scores, name)
            codes += [self.labels[j][1] for j in self.orders[name]
                      if self.labels[j][0] == system and values[j] > 0][:size]
        return codes

    def row(self, system: str, code: str) -> list[float]:
        j = self.scorer.label_index.get((system, code)) if self.scorer is not None else None
        category = self.category_ridge.get(code[:3], 0.0)
        if j is None:
            return [0.0, math.log(UNRANKED), 0.0, math.log(UNRANKED), 0.0, 0.0, 0.0, category]
        s = self.scores
        return [float(s.ridge[j]), math.log(self.ranks["ridge"].get(j, UNRANKED)), float(s.votes[j]),
                math.log(self.ranks["votes"].get(j, UNRANKED)), float(s.term_best[j]), float(s.term_strong[j]),
                math.log1p(float(self.scorer.counts[j])), category]


class FeatureBuilder:
    def __init__(self, codeset, supervised: SupervisedScorer | None = None, systems: tuple[str, ...] = SYSTEMS):
        self.codeset, self.supervised, self.systems = codeset, supervised, systems
        self.coverage = CoverageIndex(codeset)
        self._valid: dict[tuple[str, str], list[float]] = {}

    def build(self, narratives: list[str]) -> list[CandidatePool]:
        if self.supervised is not None and self.supervised.labels and narratives:
            scores = self.supervised.scores(narratives)
        else:
            empty = np.zeros((len(narratives), 0))
            scores = SupervisedScores(empty, empty, empty, empty, np.zeros(len(narratives)))
        return [self._pool(text, LearnedSignals(self.supervised, scores.row(i))) for i, text in enumerate(narratives)]

    def _pool(self, narrative: str, learned: LearnedSignals) -> CandidatePool:
        units = split_units(narrative)
        unit_words = [content_stems(unit) for unit in units]
        affirmed = [is_affirmed(unit) for unit in units]
        narrative_words = set().union(*unit_words) if unit_words else set()
        narrative_level = [math.log1p(len(narrative.split())), float(learned.scores.nearest)]
        keys, rows = [], []
        for system in self.systems:
            lexical = match_units(self.codeset, units, system)
            lexical_category = category_best(lexical)
            pool = learned.top_codes(system) + [code for code, m in lexical.items() if m.rank <= LEXICAL_POOL]
            for code in dict.fromkeys(pool):
                found = lexical.get(code, LexicalMatch(rank=UNRANKED))
                cover = self.coverage.coverage(code, system, narrative_words, unit_words, affirmed)
                keys.append((system, code))
                rows.append([SYSTEMS.index(system), *learned.row(system, code), found.best, found.total, found.units,
                             found.reciprocal, math.log(found.rank), lexical_category.get(code[:3], 0.0),
                             cover.description, cover.best_term, cover.best_unit, cover.best_affirmed_unit, cover.words,
                             *self._validity(system, code), *narrative_level])
        return CandidatePool(keys, np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES)))

    def _validity(self, system: str, code: str) -> list[float]:
        key = (system, code)
        if key not in self._valid:
            known = self.codeset.lookup(code, system) is not None
            self._valid[key] = [float(known and self.codeset.is_valid(code, system)), float(known)]
        return self._valid[key]
