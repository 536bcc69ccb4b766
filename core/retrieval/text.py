"""Narrative text units for retrieval: sentences (long ones cut into overlapping word windows) and the
stemmed content words of a text, spelled like the code-set search index spells them."""

from __future__ import annotations

import re

from core.codes.text import specific_tokens, tokenize

_SENTENCE_RE = re.compile(r"(?<=[.!?;:])\s+|\n+")
WINDOW_WORDS = 24
WINDOW_STEP = 16
MAX_UNITS = 200
# A unit that denies a finding or speaks of a relative: its words are weaker evidence for a code.
_NOT_AFFIRMED_RE = re.compile(
    r"\b(no|not|denies|denied|negative|without|absence|absent|ruled? out|free of|neither|nor|"
    r"family|fhx|father|mother|brother|sister|grandfather|grandmother|sibling)\b", re.IGNORECASE)


def split_units(narrative: str) -> list[str]:
    """Sentences of the narrative; a sentence longer than WINDOW_WORDS words becomes overlapping windows."""
    units: list[str] = []
    for sentence in _SENTENCE_RE.split(narrative):
        words = sentence.split()
        if not words:
            continue
        if len(words) <= WINDOW_WORDS:
            units.append(" ".join(words))
            continue
        for start in range(0, len(words) - WINDOW_WORDS + WINDOW_STEP, WINDOW_STEP):
            units.append(" ".join(words[start:start + WINDOW_WORDS]))
    return units[:MAX_UNITS]


def content_stems(text: str) -> set[str]:
    """Distinct stemmed content words, without the ones that only mean 'unspecified'."""
    return set(specific_tokens(tokenize(text)))


def is_affirmed(unit: str) -> bool:
    """False when the unit holds a negation or family-history cue (a crude, sentence-level test)."""
    return _NOT_AFFIRMED_RE.search(unit) is None
