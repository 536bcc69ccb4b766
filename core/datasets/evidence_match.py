"""Find, for each code, the sentence of a real narrative whose words best match the code's description
(lexical overlap of stemmed content words). Used for CodiEsp and raw records without given evidence."""

from __future__ import annotations

import re
from functools import lru_cache

from core.datasets.cases import Evidence

WINDOW_WORDS = 12
DESCRIPTION_WORDS = 8
STOPWORDS = frozenset("""a an the and or of in on to with without by for from at as is was were be been other
unspecified specified site sites type due not elsewhere classified encounter initial subsequent part parts
disease disorder disorders condition conditions nos unsp left right patient patients his her this that which
there their it its than into after before during""".split())
_WORD_RE = re.compile(r"[a-z][a-z0-9]+")
_NEGATION_RE = re.compile(r"\b(no|not|denies|denied|negative|without|ruled out)\b", re.I)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])|\n+")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def content_stems(text: str) -> list[str]:
    return [_stem(w) for w in _WORD_RE.findall(text.lower()) if w not in STOPWORDS]


def split_sentences(narrative: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(narrative) if len(s.strip()) > 2]


def _description_terms(codeset, code: str) -> tuple[str, set[str]]:
    info = codeset.lookup(code)
    if info is None:
        return "", set()
    texts = [info.description, *info.notes.get("inclusion_terms", [])]
    return info.description, {stem for text in texts for stem in content_stems(text)}


def _best_window(sentence: str, terms: set[str]) -> str:
    """The part of the sentence (<= WINDOW_WORDS words) that holds the most matching words."""
    words = sentence.split()
    if len(words) <= WINDOW_WORDS:
        return sentence
    hits = [i for i, w in enumerate(words) if set(content_stems(w)) & terms]
    if not hits:
        return " ".join(words[:WINDOW_WORDS])
    best_start = max(range(len(words) - WINDOW_WORDS + 1),
                     key=lambda s: (sum(s <= h < s + WINDOW_WORDS for h in hits), -abs(s - hits[0])))
    return " ".join(words[best_start:best_start + WINDOW_WORDS])


def match_evidence(narrative: str, codes: list[tuple[str, str]], codeset) -> list[Evidence]:
    """Evidence for each (code, system): the best-overlapping sentence window, or an empty quote."""
    sentences = split_sentences(narrative)
    stems = [set(content_stems(s)) for s in sentences]
    penalties = [0.5 if _NEGATION_RE.search(s) else 0.0 for s in sentences]  # prefer affirmed mentions
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
