"""Retrieval-only baseline: BM25 code-description search over each sentence of the narrative."""

from __future__ import annotations

from collections.abc import Sequence

from core.codes import get_codeset
from core.evaluation.baselines.common import Baseline
from core.text import split_sentences

HITS_PER_SENTENCE = 10
MIN_SENTENCE_WORDS = 3


class BM25Baseline(Baseline):
    """Scores a code by the sum of its BM25 scores over the sentences of the narrative.

    (CodiEsp-D dev MAP: raw sum 0.061, max 0.061, sum of per-sentence-normalized scores 0.051.)

    Needs no training; given train cases it only learns how many codes to answer per system.
    """

    name = "bm25"
    needs_training = False

    def __init__(self, systems: Sequence[str], codeset=None):
        super().__init__(systems)
        if codeset is None:
            codeset = get_codeset()
        self.codeset = codeset

    def rank(self, case: dict) -> dict[str, list[tuple[str, float]]]:
        sentences = split_sentences(case.get("narrative", ""), MIN_SENTENCE_WORDS)
        ranked = {}
        for system in self.systems:
            scores: dict[str, float] = {}
            for sentence in sentences:
                for hit in self.codeset.search(sentence, system=system, k=HITS_PER_SENTENCE):
                    scores[hit.code] = scores.get(hit.code, 0.0) + hit.score
            ranked[system] = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return ranked
