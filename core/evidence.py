"""Evidence spans: the part of a narrative that supports a code.

First choice: text the model's reasoning quotes (or writes before `->`) on a line that names the code,
when that text really occurs in the narrative. Otherwise: the narrative phrase (clause or sentence) with
the best word overlap with the code's description and inclusion terms. Spans are character offsets into
the narrative, so a UI can highlight them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTE_RE = re.compile(r'"([^"\n]{3,300})"|“([^”\n]{3,300})”|\'([^\'\n]{3,300})\'')
_ARROW_RE = re.compile(r"^\s*[-*•]?\s*(.{3,300}?)\s*(?:->|=>|→)")
_SENTENCE_RE = re.compile(r"[^.;!?\n]+(?:[.;!?]+|$)")
_WORD_RE = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    "the and with without for from that this was were has have had not but are his her its of in on at to by "
    "or as is be an a patient pt other unspecified specified due type".split())
_STEM = 5


@dataclass(frozen=True)
class Evidence:
    quote: str = ""
    span: tuple[int, int] | None = None


def find_evidence(narrative: str, terms: list[str], reasoning: str = "", code: str = "") -> Evidence:
    """The best supporting quote for `code` (described by `terms`) in `narrative`; empty when none."""
    for phrase in _reasoning_phrases(reasoning, code):
        span = locate(narrative, phrase)
        if span:
            return Evidence(narrative[span[0]:span[1]], span)
    return best_overlap(narrative, terms)


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


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in _WORD_RE.findall(text.lower()) if w not in _STOPWORDS and (len(w) > 2 or w.isdigit())}


def _phrases(narrative: str) -> list[tuple[int, int]]:
    """Sentence spans and, inside each, its comma-separated clauses (trimmed)."""
    spans = []
    for sentence in _SENTENCE_RE.finditer(narrative):
        spans.append(_trim(narrative, sentence.start(), sentence.end()))
        offset = sentence.start()
        for part in sentence.group(0).split(","):
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
    """The phrase sharing the most words (by 5-letter stem) with the terms; ties go to the shorter one."""
    wanted = set().union(*(_stems(t) for t in terms)) if terms else set()
    best, best_key = None, (0, 0.0)
    for start, end in _phrases(narrative):
        shared = len(_stems(narrative[start:end]) & wanted)
        key = (shared, -(end - start))
        if shared and key > best_key:
            best, best_key = (start, end), key
    if best is None:
        return Evidence()
    return Evidence(narrative[best[0]:best[1]], best)
