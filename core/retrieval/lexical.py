"""Lexical signal: code-set BM25 search (descriptions + inclusion terms) run on every sentence/window of
a narrative, aggregated per code (best score, summed score, how many units hit it, reciprocal ranks)."""

from __future__ import annotations

from dataclasses import dataclass

HITS_PER_UNIT = 30


@dataclass
class LexicalMatch:
    best: float = 0.0  # highest BM25 score over the units
    total: float = 0.0  # summed BM25 score over the units
    units: int = 0  # how many units retrieved the code
    reciprocal: float = 0.0  # summed 1 / (1 + rank within a unit)
    rank: int = 0  # 1-based rank of `best` among the codes of this narrative and system


def match_units(codeset, units: list[str], system: str, hits_per_unit: int = HITS_PER_UNIT) -> dict[str, LexicalMatch]:
    """Per code of `system`: how the narrative's units matched it."""
    matches: dict[str, LexicalMatch] = {}
    for unit in units:
        for position, hit in enumerate(codeset.search(unit, system, hits_per_unit)):
            found = matches.setdefault(hit.code, LexicalMatch())
            found.best = max(found.best, hit.score)
            found.total += hit.score
            found.units += 1
            found.reciprocal += 1.0 / (1 + position)
    for rank, code in enumerate(sorted(matches, key=lambda c: -matches[c].best), 1):
        matches[code].rank = rank
    return matches


def category_best(matches: dict[str, LexicalMatch]) -> dict[str, float]:
    """Best lexical score per ICD-10-CM category (first three characters of the code)."""
    best: dict[str, float] = {}
    for code, found in matches.items():
        best[code[:3]] = max(best.get(code[:3], 0.0), found.best)
    return best
