"""Description coverage: how much of a code's description (or of its best inclusion term) the narrative,
or a single sentence of it, says. The strongest single feature of the candidate scorer."""

from __future__ import annotations

from dataclasses import dataclass

from core.text import content_stems


@dataclass(frozen=True)
class Coverage:
    description: float  # share of the description's words found anywhere in the narrative
    best_term: float  # the same, best over the description and each inclusion term
    best_unit: float  # share of the description's words found inside one sentence/window
    best_affirmed_unit: float  # the same, over units without a negation or family-history cue
    words: int  # number of specific words in the description


class CoverageIndex:
    """Caches the stemmed words of code descriptions and inclusion terms."""

    def __init__(self, codeset):
        self.codeset = codeset
        self._terms: dict[tuple[str, str], list[frozenset[str]]] = {}

    def terms(self, code: str, system: str) -> list[frozenset[str]]:
        key = (system, code)
        if key not in self._terms:
            info = self.codeset.lookup(code, system)
            texts = [info.description, *info.notes.get("inclusion_terms", [])] if info else []
            self._terms[key] = [frozenset(content_stems(text)) for text in texts]
        return self._terms[key]  # the description first, then the inclusion terms

    def coverage(self, code: str, system: str, narrative_words: set[str], unit_words: list[set[str]],
                 affirmed: list[bool]) -> Coverage:
        """unit_words: the stemmed words of each unit; affirmed: per unit, whether it has no negation cue."""
        terms = self.terms(code, system)
        if not terms or not terms[0]:
            return Coverage(0.0, 0.0, 0.0, 0.0, 0)
        description = terms[0]
        shares = [len(words & narrative_words) / len(words) for words in terms if words]
        found = [len(description & words) for words in unit_words]
        best_affirmed = max((n for n, ok in zip(found, affirmed, strict=True) if ok), default=0)
        size = len(description)
        return Coverage(shares[0], max(shares), max(found, default=0) / size, best_affirmed / size, size)
