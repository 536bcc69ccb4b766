"""Candidate codes for prompts. Every stage builder gets its candidates from `candidates_for`, with a
retriever passed in by the caller (the training pipeline passes a cross-fitted one) or the default:
`core.retrieval.default_retriever()` when that package exists, else BM25 search over the code sets."""

from __future__ import annotations

import logging
from functools import lru_cache

from core.constants import CANDIDATES_PER_SYSTEM
from core.prompts import SYSTEMS, Candidate

logger = logging.getLogger(__name__)



class CodesetSearchRetriever:
    """Fallback retriever: `CodeSet.search` per system (contract-6 `retrieve` signature)."""

    def retrieve(self, narrative: str, k: int = CANDIDATES_PER_SYSTEM) -> list[Candidate]:
        from core.codes import get_codeset

        codeset = get_codeset()
        found = []
        for system in SYSTEMS:
            found += [Candidate(hit.code, hit.system, hit.description, round(float(hit.score), 4))
                      for hit in codeset.search(narrative, system, k)]
        return found


class NoCandidates:
    """A retriever that offers nothing (prompts without a candidate block; used to measure the generator)."""

    def retrieve(self, narrative: str, k: int = CANDIDATES_PER_SYSTEM) -> list[Candidate]:
        return []


@lru_cache(maxsize=1)
def default_candidate_retriever():
    """`core.retrieval.default_retriever()` if the retrieval package is installed, else the code-set search."""
    try:
        from core.retrieval import default_retriever
    except ModuleNotFoundError as exc:
        if exc.name not in ("core.retrieval",):
            raise
        logger.info("core.retrieval not available: candidates come from code-set search")
        return CodesetSearchRetriever()
    return default_retriever()


def candidates_for(narrative: str, retriever=None, k: int = CANDIDATES_PER_SYSTEM) -> list[Candidate]:
    """The candidate codes shown in the prompt for a narrative (the single call site for all stages)."""
    retriever = retriever if retriever is not None else default_candidate_retriever()
    return list(retriever.retrieve(narrative, k=k))
