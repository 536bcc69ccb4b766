"""Evidence spans: the part of a narrative that supports a code.

First choice: text the model's reasoning quotes (or writes before `->`) on a line that names the code,
when that text really occurs in the narrative. Otherwise: the narrative phrase (clause or sentence) with
the best word overlap with the code's description and inclusion terms. Spans are character offsets into
the narrative, so a UI can highlight them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from core.text import evidence_stems, sentence_spans

_QUOTE_RE = re.compile(r'"([^"\n]{3,300})"|“([^”\n]{3,300})”|\'([^\'\n]{3,300})\'')
_ARROW_RE = re.compile(r"^\s*[-*•]?\s*(.{3,300}?)\s*(?:->|=>|→)")


@dataclass(frozen=True)
class Evidence:
    """A quote from the narrative that supports one code: `why` explains specificity or units (dataset
    cases), `span` is the quote's (start, end) in the narrative when it was located."""

    code: str = ""
    system: str = ""
    quote: str = ""
    why: str = ""
    span: tuple[int, int] | None = None


def find_evidence(narrative: str, terms: list[str], reasoning: str = "", code: str = "") -> Evidence:
    """The best supporting quote for `code` (described by `terms`) in `narrative`; empty when none."""
    for phrase in _reasoning_phrases(reasoning, code):
        span = locate(narrative, phrase)
        if span:
            return Evidence(code=code, quote=narrative[span[0]:span[1]], span=span)
    return replace(best_overlap(narrative, terms), code=code)


def locate(narrative: str, phrase: str) -> tuple[int, int] | None:
    """Case-insensitive position of `phrase` in `narrative` (None when absent or too short)."""
    phrase = phrase.strip().strip(".,;:")
    if len(phrase) < 3:
        return None
    start = narrative.lower().find(phrase.lower())
    return (start, start + len(phrase)) if start >= 0 else None


def _mentions(line: str, code: str) -> bool:
    if not code:
        return False
    lowered = line.lower()
    return code.lower() in lowered or code.replace(".", "").lower() in lowered.replace(".", "")


def _reasoning_phrases(reasoning: str, code: str) -> list[str]:
    """Quoted text, then text before an arrow, on the reasoning lines that mention `code`."""
    phrases: list[str] = []
    for line in reasoning.splitlines():
        if not _mentions(line, code):
            continue
        phrases += [next(g for g in m.groups() if g) for m in _QUOTE_RE.finditer(line)]
        arrow = _ARROW_RE.match(line)
        if arrow:
            phrases.append(arrow.group(1).strip("\"'“”"))
    return phrases


def _phrases(narrative: str) -> list[tuple[int, int]]:
    """Sentence spans and, inside each, its comma-separated clauses (trimmed)."""
    spans = []
    for start, end in sentence_spans(narrative):
        spans.append(_trim(narrative, start, end))
        offset = start
        for part in narrative[start:end].split(","):
            spans.append(_trim(narrative, offset, offset + len(part)))
            offset += len(part) + 1
    return [s for s in dict.fromkeys(spans) if s[1] - s[0] >= 3]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;!?"):
        end -= 1
    return start, end


def best_overlap(narrative: str, terms: list[str]) -> Evidence:
    """The phrase sharing the most content words (core.text.evidence_stems) with the terms; ties go to the
    shorter one."""
    wanted = set().union(*(evidence_stems(t) for t in terms)) if terms else set()
    best, best_key = None, (0, 0.0)
    for start, end in _phrases(narrative):
        shared = len(evidence_stems(narrative[start:end]) & wanted)
        key = (shared, -(end - start))
        if shared and key > best_key:
            best, best_key = (start, end), key
    if best is None:
        return Evidence()
    return Evidence(quote=narrative[best[0]:best[1]], span=best)


def evidence_highlights(narrative: str, result: dict) -> list[tuple[str, str | None]]:
    """The narrative cut into (text, label) pieces: the evidence span of each valid item of a coding result
    (CodingResult.to_dict()) labelled by its code, the text between unlabelled. An overlapping or
    out-of-range span is left out (each character is shown once)."""
    spans = sorted(
        (tuple(item["span"]), item["code"])
        for item in result.get("items", [])
        if item.get("span") and item.get("valid")
    )
    pieces, cursor = [], 0
    for (start, end), code in spans:
        if start < cursor or end > len(narrative) or start >= end:
            continue
        if start > cursor:
            pieces.append((narrative[cursor:start], None))
        pieces.append((narrative[start:end], code))
        cursor = end
    if cursor < len(narrative):
        pieces.append((narrative[cursor:], None))
    return pieces
