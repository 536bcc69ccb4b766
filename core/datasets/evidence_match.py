"""Find, for each code, the sentence of a real narrative whose words best match the code's description
(lexical overlap of stemmed content words). Used for CodiEsp and raw records without given evidence.

The evidence has no "why": the only one at hand would be the description's first words, which the model then
learned to copy after every code (a third of its tokens on CodiEsp), and which the decoding style forbids after an
ICD-10-CM code (core.inference.style)."""

from __future__ import annotations

from core.datasets.cases import Evidence
from core.evidence import code_terms
from core.text import evidence_stems, is_affirmed, split_sentences

WINDOW_WORDS = 12


def _description_terms(codeset, code: str) -> set[str]:
    return set().union(*(evidence_stems(text) for text in code_terms(codeset, code)))


def _best_window(sentence: str, terms: set[str]) -> str:
    """The part of the sentence (<= WINDOW_WORDS words) that holds the most matching words."""
    words = sentence.split()
    if len(words) <= WINDOW_WORDS:
        return sentence
    hits = [i for i, w in enumerate(words) if evidence_stems(w) & terms]
    if not hits:
        return " ".join(words[:WINDOW_WORDS])
    best_start = max(range(len(words) - WINDOW_WORDS + 1),
                     key=lambda s: (sum(s <= h < s + WINDOW_WORDS for h in hits), -abs(s - hits[0])))
    return " ".join(words[best_start:best_start + WINDOW_WORDS])


def match_evidence(narrative: str, codes: list[tuple[str, str]], codeset) -> list[Evidence]:
    """Evidence for each (code, system): the best-overlapping sentence window, or an empty quote."""
    sentences = [s for s in split_sentences(narrative) if len(s) > 2]
    stems = [evidence_stems(s) for s in sentences]
    penalties = [0.0 if is_affirmed(s) else 0.5 for s in sentences]  # prefer affirmed mentions
    evidence = []
    for code, system in codes:
        terms = _description_terms(codeset, code)
        scores = [len(terms & s) - (penalty if terms & s else 0.0) for s, penalty in zip(stems, penalties, strict=True)]
        best = max(range(len(sentences)), key=lambda i: scores[i], default=None)
        quote = "" if best is None or scores[best] <= 0 else _best_window(sentences[best], terms)
        evidence.append(Evidence(code, system, quote))
    return evidence
