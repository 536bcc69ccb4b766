"""Candidate codes for prompts. Every stage builder gets its candidates from `candidates_for`, with the
retriever its caller passes in: `core.retrieval.default_retriever()` (`thce data build`), a cross-fitted one
(the training pipeline), `CodesetSearchRetriever` (BM25 search over the code sets) or `NoCandidates`."""

from __future__ import annotations

from core.codes import get_codeset
from core.constants import CANDIDATES_PER_SYSTEM
from core.prompts import SYSTEMS, Candidate


class CodesetSearchRetriever:
    """Fallback retriever: `CodeSet.search` per system (contract-6 `retrieve` signature)."""

    def retrieve(self, narrative: str, k: int = CANDIDATES_PER_SYSTEM) -> list[Candidate]:
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


def candidates_for(narrative: str, retriever, k: int = CANDIDATES_PER_SYSTEM) -> list[Candidate]:
    """The candidate codes shown in the prompt for a narrative (the single call site for all stages)."""
    return list(retriever.retrieve(narrative, k=k))
