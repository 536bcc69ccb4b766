"""Find, for each code, the sentence of a real narrative whose words best match the code's description
(lexical overlap of stemmed content words). Used for CodiEsp and raw records without given evidence."""

from __future__ import annotations

from core.datasets.cases import Evidence
from core.evidence import code_terms
from core.text import evidence_stems, is_affirmed, split_sentences

WINDOW_WORDS = 12
DESCRIPTION_WORDS = 8


def _description_terms(codeset, code: str) -> tuple[str, set[str]]:
    texts = code_terms(codeset, code)
    if not texts:
        return "", set()
    return texts[0], set().union(*(evidence_stems(text) for text in texts))


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
        description, terms = _description_terms(codeset, code)
        scores = [len(terms & s) - (penalty if terms & s else 0.0) for s, penalty in zip(stems, penalties, strict=True)]
        best = max(range(len(sentences)), key=lambda i: scores[i], default=None)
        why = " ".join(description.split()[:DESCRIPTION_WORDS])
        if best is None or scores[best] <= 0:
            evidence.append(Evidence(code, system, "", why))
        else:
            evidence.append(Evidence(code, system, _best_window(sentences[best], terms), why))
    return evidence
