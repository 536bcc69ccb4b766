"""Fitting the learned retriever on gold cases, and cross-fitted candidates for training prompts.

Stacking: the cases are cut into folds; for each fold the supervised signals are fitted on the other folds
and the held-out fold's candidate pools are built, so every training row of the tree ensemble carries the
signals as they look on unseen narratives. Then the supervised signals are refitted on all cases."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from core.codes import get_codeset
from core.constants import CANDIDATES_PER_SYSTEM
from core.prompts import SYSTEMS, Candidate
from core.retrieval.combiner import CombinerConfig, TreeEnsemble
from core.retrieval.decision import DECISION_DEPTH, DecisionRule, fit_thresholds
from core.retrieval.features import FEATURE_NAMES, CandidatePool, FeatureBuilder
from core.retrieval.retriever import Retriever, candidates_from_ranking, ranked_by_system
from core.retrieval.supervised import Label, SupervisedConfig, SupervisedScorer

logger = logging.getLogger(__name__)


@dataclass
class FitConfig:
    folds: int = 5
    seed: int = 0
    supervised: SupervisedConfig = field(default_factory=SupervisedConfig)
    combiner: CombinerConfig = field(default_factory=CombinerConfig)


def case_labels(case: dict, codeset) -> list[Label]:
    """The (system, normalized code) gold labels of a contract-7 case."""
    codes = case.get("codes")
    if not isinstance(codes, dict):
        raise ValueError(f"case {case.get('id')!r}: 'codes' must be an object of systems")
    labels = [(system, codeset.normalize(str(code), system)) for system in SYSTEMS for code in codes.get(system, [])]
    return list(dict.fromkeys(labels))


def _narrative(case: dict) -> str:
    text = case.get("narrative")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"case {case.get('id')!r}: 'narrative' must be a non-empty string")
    return text


def fold_numbers(count: int, folds: int, seed: int) -> list[int]:
    """A fold number per case: shuffled with the seed, sizes differing by at most one."""
    if folds < 2 or count < folds:
        raise ValueError(f"cross-fitting needs folds >= 2 and at least `folds` cases (got {count} cases, {folds} folds)")
    order = list(range(count))
    random.Random(seed).shuffle(order)
    numbers = [0] * count
    for position, index in enumerate(order):
        numbers[index] = position % folds
    return numbers


def cross_fit_pools(cases: list[dict], config: FitConfig, codeset) -> list[CandidatePool]:
    """Each case's candidate pool, built by supervised signals fitted without that case's fold."""
    narratives = [_narrative(case) for case in cases]
    labels = [case_labels(case, codeset) for case in cases]
    numbers = fold_numbers(len(cases), config.folds, config.seed)
    pools: list[CandidatePool | None] = [None] * len(cases)
    for fold in range(config.folds):
        inside = [i for i, n in enumerate(numbers) if n != fold]
        held = [i for i, n in enumerate(numbers) if n == fold]
        scorer = SupervisedScorer.fit([narratives[i] for i in inside], [labels[i] for i in inside], config.supervised)
        for i, pool in zip(held, FeatureBuilder(codeset, scorer).build([narratives[i] for i in held]), strict=True):
            pools[i] = pool
        logger.info("cross-fit fold %d/%d done", fold + 1, config.folds)
    return pools  # type: ignore[return-value]


def training_rows(pools: list[CandidatePool], cases: list[dict], codeset) -> tuple[np.ndarray, np.ndarray]:
    features, targets = [], []
    for pool, case in zip(pools, cases, strict=True):
        gold = set(case_labels(case, codeset))
        features.append(pool.features)
        targets.append(np.array([key in gold for key in pool.keys], dtype=bool))
    return np.vstack(features), np.concatenate(targets)


@dataclass(frozen=True)
class CrossFit:
    """The cross-fitted candidate pools of some cases and the tree ensemble fitted on them: the slow part of
    fitting, made once by `cross_fit` and handed by the caller to `fit_retriever` and `cross_fit_candidates`
    (the training pipeline fits the retriever and builds its prompt candidates from one CrossFit)."""
    config: FitConfig
    case_ids: tuple
    pools: list[CandidatePool]
    combiner: TreeEnsemble

    def check_cases(self, cases: list[dict]) -> None:
        if tuple(case.get("id") for case in cases) != self.case_ids:
            raise ValueError(f"this CrossFit was made from other cases ({len(self.case_ids)} cases; got {len(cases)}): "
                             "make one with cross_fit(cases) for these cases")


def cross_fit(cases: list[dict], config: FitConfig | None = None, codeset=None) -> CrossFit:
    """Cross-fitted pools of `cases` and the tree ensemble fitted on them (see the module docstring)."""
    config, codeset = config or FitConfig(), codeset or get_codeset()
    pools = cross_fit_pools(cases, config, codeset)
    return CrossFit(config, tuple(case.get("id") for case in cases), pools, fit_combiner(pools, cases, config, codeset))


def fit_combiner(pools: list[CandidatePool], cases: list[dict], config: FitConfig, codeset) -> TreeEnsemble:
    features, targets = training_rows(pools, cases, codeset)
    logger.info("fitting the candidate scorer on %d rows (%d gold)", len(targets), int(targets.sum()))
    return TreeEnsemble.fit(features, targets, FEATURE_NAMES, config.combiner)


def fit_decision(pools: list[CandidatePool], cases: list[dict], combiner: TreeEnsemble, codeset) -> DecisionRule:
    """The final-answer thresholds, fitted on the cross-fitted (unseen-narrative) scores of the cases."""
    scorer = Retriever(codeset, None, combiner)
    rankings = [ranked_by_system(pool, scorer.score_pool(pool), DECISION_DEPTH) for pool in pools]
    gold = [{"codes": {s: [c for system, c in case_labels(case, codeset) if system == s] for s in SYSTEMS}}
            for case in cases]
    rule = fit_thresholds(gold, rankings)  # rule.depth == DECISION_DEPTH: decide() cuts deeper lists to it
    logger.info("final-answer thresholds %s (micro-F1 on cross-fitted scores %s)", rule.threshold, rule.info["f1"])
    return rule


def fit_retriever(cases: list[dict], out_dir: Path | str | None = None, config: FitConfig | None = None,
                  codeset=None, fitted: CrossFit | None = None) -> Retriever:
    """Fit the learned retriever on gold cases; save it to <out_dir>/retriever/ when out_dir is given.
    `fitted`: the cases' CrossFit when the caller already made one (its config is used; `config` must be None)."""
    codeset = codeset or get_codeset()
    started = time.perf_counter()
    fitted = _given_or_new(fitted, cases, config, codeset)
    config, pools, combiner = fitted.config, fitted.pools, fitted.combiner
    decision = fit_decision(pools, cases, combiner, codeset)
    supervised = SupervisedScorer.fit([_narrative(c) for c in cases], [case_labels(c, codeset) for c in cases],
                                      config.supervised)
    info = {"cases": len(cases), "labels": len(supervised.labels), "config": asdict(config),
            "fit_seconds": round(time.perf_counter() - started, 1)}
    retriever = Retriever(codeset, supervised, combiner, info, decision)
    if out_dir is not None:
        retriever.save(out_dir)
    return retriever


def cross_fit_candidates(cases: list[dict], folds: int = 5, k: int = CANDIDATES_PER_SYSTEM, config: FitConfig | None = None,
                         codeset=None, fitted: CrossFit | None = None) -> list[list[Candidate]]:
    """Prompt candidates for training cases, each from signals not fitted on that case.

    The supervised signals never saw the case (cross-fitting); the small tree ensemble that blends them is
    fitted once on all the cross-fitted pools (it learns how to weigh signals, not which codes a case has).
    `fitted`: the cases' CrossFit, made once and also given to fit_retriever (no refit; `folds` and `config`
    must then agree with it)."""
    codeset = codeset or get_codeset()
    config = replace(config or (fitted.config if fitted else FitConfig()), folds=folds)
    fitted = _given_or_new(fitted, cases, config, codeset)
    retriever = Retriever(codeset, None, fitted.combiner)
    return [candidates_from_ranking(codeset, ranked_by_system(pool, retriever.score_pool(pool), 4 * k), k)
            for pool in fitted.pools]


def _given_or_new(fitted: CrossFit | None, cases: list[dict], config: FitConfig | None, codeset) -> CrossFit:
    if fitted is None:
        return cross_fit(cases, config, codeset)
    fitted.check_cases(cases)
    if config is not None and config != fitted.config:
        raise ValueError(f"the CrossFit was made with {fitted.config}, not {config}")
    return fitted
