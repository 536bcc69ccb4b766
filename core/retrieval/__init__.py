"""Candidate retrieval (contract 6): narrative -> scored candidate codes per system.

    from core.retrieval import cross_fit, cross_fit_candidates, default_retriever, fit_retriever
    retriever = default_retriever()                 # fitted scorer of the shipped model, else bm25-only
    retriever.retrieve(narrative, k=8)              # list[Candidate], k per system, best first
    retriever.rank(narrative, k=50)                 # {system: [(code, score), ...]} for MAP
    fit_retriever(cases, out_dir)                   # learn from gold cases, save to <out_dir>/retriever/
    cross_fit_candidates(cases, folds=5, k=8)       # candidates for training prompts, never self-fitted
    fitted = cross_fit(cases)                       # the slow part of both, made once and passed along:
    fit_retriever(cases, out_dir, fitted=fitted); cross_fit_candidates(cases, fitted=fitted)

Signals (features.py): TF-IDF kernel ridge, TF-IDF neighbour votes, term precision (a learned lexicon),
code-set BM25 per sentence, description coverage (with negation/family-history cues), code frequency,
category aggregates; blended by gradient-boosted trees fitted on cross-fitted pools (fitting.py).
Measured by benchmarks/retrieval.py.
"""

from core.retrieval.fitting import (
    CrossFit,
    FitConfig,
    case_labels,
    cross_fit,
    cross_fit_candidates,
    fit_retriever,
)
from core.retrieval.retriever import Retriever, clear_retriever_cache, default_retriever
from core.retrieval.storage import RetrieverFormatError

__all__ = ["CrossFit", "FitConfig", "Retriever", "RetrieverFormatError", "case_labels", "clear_retriever_cache",
           "cross_fit", "cross_fit_candidates", "default_retriever", "fit_retriever"]
