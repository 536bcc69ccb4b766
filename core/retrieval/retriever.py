"""The retriever (contract 6): narrative -> scored candidate codes per system.

A fitted retriever scores each candidate of the pool (features.py) with the learned tree ensemble; an
unfitted one (no training cases: the bm25-only fallback) ranks the code-set search hits by a fixed blend of
their BM25 score and how much of the code's description the narrative says."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.special import expit

from core.codes import get_codeset
from core.codes.billable import map_to_billable
from core.constants import CANDIDATES_PER_SYSTEM
from core.paths import DEFAULT_MODEL_DIR
from core.prompts import SYSTEMS, Candidate
from core.retrieval import storage
from core.retrieval.combiner import TreeEnsemble
from core.retrieval.decision import DecisionRule
from core.retrieval.features import FEATURE_NAMES, CandidatePool, FeatureBuilder
from core.retrieval.supervised import SupervisedScorer

logger = logging.getLogger(__name__)

MIN_PROMPT_SCORE = 0.01  # a fitted retriever's probability below which a code is not offered to the model
FALLBACK_COVERAGE_WEIGHT = 1.0  # bm25-only score = best BM25 score x (1 + w x coverage within one sentence)


class Retriever:
    def __init__(self, codeset=None, supervised: SupervisedScorer | None = None, combiner: TreeEnsemble | None = None,
                 info: dict | None = None, decision: DecisionRule | None = None):
        codeset = codeset if codeset is not None else get_codeset()
        if combiner is not None and combiner.feature_names != FEATURE_NAMES:
            raise storage.RetrieverFormatError("the stored candidate scorer was fitted on other features")
        self.codeset, self.supervised, self.combiner = codeset, supervised, combiner
        self.info = dict(info or {})
        self.decision = decision  # which scored codes make the final answer (None: the model's codes only)
        self.features = FeatureBuilder(codeset, supervised)

    @property
    def fitted(self) -> bool:
        return self.combiner is not None

    def score_pool(self, pool: CandidatePool) -> np.ndarray:
        """A score per candidate of the pool: a probability for a fitted retriever, else a BM25 blend."""
        if self.combiner is not None:
            return expit(self.combiner.predict_logit(pool.features))
        return pool.column("lexical_best") * (1.0 + FALLBACK_COVERAGE_WEIGHT * pool.column("coverage_best_unit"))

    def rank_pools(self, pools: list[CandidatePool], k: int) -> list[dict[str, list[tuple[str, float]]]]:
        return [ranked_by_system(pool, self.score_pool(pool), k) for pool in pools]

    def rank(self, narrative: str, k: int = 50) -> dict[str, list[tuple[str, float]]]:
        """The k best codes per system with their scores, best first (the long list used for MAP)."""
        if not narrative or not narrative.strip():
            return {system: [] for system in SYSTEMS}
        return self.rank_pools(self.features.build([narrative]), k)[0]

    def retrieve(self, narrative: str, k: int = CANDIDATES_PER_SYSTEM) -> list[Candidate]:
        """The k best valid codes per system as prompt candidates (ICD-10-CM first, then CPT, HCPCS)."""
        return self.candidates(self.rank(narrative, k=4 * k), k)

    def candidates(self, ranked: dict[str, list[tuple[str, float]]], k: int = CANDIDATES_PER_SYSTEM) -> list[Candidate]:
        """Prompt candidates from a ranking (`rank`'s output): a fitted retriever's unlikely codes are left out."""
        return candidates_from_ranking(self.codeset, ranked, k, MIN_PROMPT_SCORE if self.fitted else 0.0)

    def save(self, model_dir: Path | str) -> Path:
        """Write <model_dir>/retriever/ (only a fitted retriever has anything to store)."""
        if self.supervised is None or self.combiner is None:
            raise ValueError("only a fitted retriever can be saved (use fit_retriever)")
        supervised_header, supervised_arrays = self.supervised.to_arrays()
        combiner_header, combiner_arrays = self.combiner.to_arrays()
        vocabulary = supervised_header.pop("vocabularies")
        arrays = {**{f"supervised_{k}": v for k, v in supervised_arrays.items()},
                  **{f"combiner_{k}": v for k, v in combiner_arrays.items()}}
        manifest = {"info": self.info, "supervised": supervised_header, "combiner": combiner_header}
        if self.decision is not None:
            manifest["decision"] = self.decision.to_dict()
        return storage.write(model_dir, manifest, vocabulary, arrays)

    @classmethod
    def load(cls, model_dir: Path | str, codeset=None) -> Retriever:
        manifest, vocabulary, arrays = storage.read(model_dir)
        try:
            supervised = SupervisedScorer.from_arrays({**manifest["supervised"], "vocabularies": vocabulary},
                                                      _prefixed(arrays, "supervised_"))
            combiner = TreeEnsemble.from_arrays(manifest["combiner"], _prefixed(arrays, "combiner_"))
            decision = DecisionRule.from_dict(manifest["decision"]) if "decision" in manifest else None
        except (KeyError, TypeError, ValueError) as exc:
            raise storage.RetrieverFormatError(f"{storage.retriever_dir(model_dir)}: incomplete retriever ({exc})") from exc
        return cls(codeset, supervised, combiner, manifest.get("info"), decision)


def _prefixed(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {name[len(prefix):]: value for name, value in arrays.items() if name.startswith(prefix)}


def ranked_by_system(pool: CandidatePool, scores: np.ndarray, k: int) -> dict[str, list[tuple[str, float]]]:
    ranked: dict[str, list[tuple[str, float]]] = {system: [] for system in SYSTEMS}
    for i in np.argsort(-scores, kind="stable"):
        system, code = pool.keys[i]
        if len(ranked[system]) < k:
            ranked[system].append((code, round(float(scores[i]), 6)))
    return ranked


def candidates_from_ranking(codeset, ranked: dict[str, list[tuple[str, float]]], k: int,
                            min_score: float = MIN_PROMPT_SCORE) -> list[Candidate]:
    """Prompt candidates: the k best valid, billable codes per system scoring at least `min_score` (a
    fitted retriever's probability). A learned code that is not billable today (CodiEsp's 2018 'R51')
    stands for its unambiguous billable form ('R51.9'), else it is left out."""
    candidates = []
    for system in SYSTEMS:
        chosen: dict[str, float] = {}
        for code, score in ranked.get(system, []):
            if score < min_score:
                break  # rankings are sorted, best first
            billable = billable_form(codeset, code, system)
            if billable is not None and billable not in chosen and len(chosen) < k:
                chosen[billable] = score
        candidates += [Candidate(code, system, codeset.describe(code), round(score, 4)) for code, score in chosen.items()]
    return candidates


def billable_form(codeset, code: str, system: str) -> str | None:
    if codeset.is_valid(code, system):
        return code
    if system != "icd10cm":
        return None
    return map_to_billable(codeset, code)[0]


@lru_cache(maxsize=4)
def _cached_retriever(model_dir: str) -> Retriever:
    if storage.is_saved(model_dir):
        logger.info("loading the fitted retriever of %s", model_dir)
        return Retriever.load(model_dir)
    logger.info("no fitted retriever in %s: using bm25-only retrieval", model_dir)
    return Retriever()


def default_retriever(model_dir: Path | str | None = None) -> Retriever:
    """The fitted retriever saved in <model_dir>/retriever/ (default: the shipped model), else bm25-only. Cached."""
    return _cached_retriever(str(Path(model_dir or DEFAULT_MODEL_DIR).resolve()))


def clear_retriever_cache() -> None:
    """Forget loaded retrievers (after fitting a new one into a model folder in the same process)."""
    _cached_retriever.cache_clear()
