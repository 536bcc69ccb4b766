"""Evidence spans: the part of a narrative that supports a code.

First choice: text the model's reasoning quotes (or writes before `->`) in the part of a line that names the
code, when that text occurs verbatim in the narrative. For an E/M visit code (office, ED): the sentence that
documents what sets its level (the MDM statement, the total time, else the patient status: new, established,
ED). Otherwise: the narrative phrase (clause or sentence) with the best word overlap with the code's
description and inclusion terms, when the overlap is enough (two content words, or one that is not a word
of the kind of service such as 'visit' or 'moderate'); else no evidence, rather than a wrong span. Spans are
character offsets into the narrative, so a UI can highlight them. `benchmarks/evidence.py` measures it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from core.rules.em import ALL_EM, level_statements
from core.text import evidence_stems, negated_before, negated_within, sentence_spans, tokenize

_QUOTE_RE = re.compile(r'"([^"\n]{3,300})"|“([^”\n]{3,300})”|\'([^\'\n]{3,300})\'')
# What a code looks like in a reasoning line: ICD-10-CM (E11.65, C56), CPT (99214, 0001A), HCPCS (J1100).
_CODE_RE = re.compile(r"\b(?:[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?|\d{4}[0-9A-Z]|[A-Z]\d{4})\b")
_WORD_RE = re.compile(r"[A-Za-z0-9]+")
_ARROW_RE = re.compile(r"^\s*[-*•]?\s*(.{3,300}?)\s*(?:->|=>|→)")
# Words that say what kind of service a code is, not what was found: alone, they tie a phrase to a code
# too loosely ("Visit 1" is no evidence of an established-patient visit of moderate complexity).
WEAK_WORDS = ("visit office outpatient level low moderate high complexity straightforward time total minutes new "
              "established service care given routine single first one two three additional minimum complete "
              "limited brief evaluation management report interpretation each today test")


@dataclass(frozen=True)
class Evidence:
    """A quote from the narrative that supports one code: `why` explains specificity or units (dataset
    cases), `span` is the quote's (start, end) in the narrative when it was located."""

    code: str = ""
    system: str = ""
    quote: str = ""
    why: str = ""
    span: tuple[int, int] | None = None


def code_terms(codeset, code: str, system: str | None = None) -> list[str]:
    """The words a code is known by: its description, then its inclusion terms (empty for an unknown code)."""
    info = codeset.lookup(code, system)
    if info is None:
        return []
    return [term for term in [info.description, *info.notes.get("inclusion_terms", [])] if term]


def find_evidence(narrative: str, terms: list[str], reasoning: str = "", code: str = "",
                  codeset=None) -> Evidence:
    """The best supporting quote for `code` (described by `terms`) in `narrative`; empty when none. A quote on
    a reasoning part that names other codes too ('"MDM: low" -> 99203/87880') counts for `code` only when it
    shares enough words with the code's terms. With `codeset`, a quote that shares no word with the code's
    terms but enough with another code the reasoning names is that code's evidence, written on the wrong line
    (the model's '"Essential hypertension" -> E11.65' beside its I10 line): it is not taken for `code`. A quote
    with no content word at all ('"and a"') is never evidence."""
    wanted = _stems_of(terms)
    quoted = _quoted(narrative, reasoning, code, wanted, codeset)
    if quoted is not None:
        return quoted
    if code in ALL_EM:
        found = level_evidence(narrative)
        if found.span:
            return replace(found, code=code)
    return replace(_best_overlap(narrative, wanted), code=code)


def quoted_evidence(narrative: str, terms: list[str], reasoning: str, code: str, codeset=None) -> Evidence | None:
    """The reasoning's own evidence for `code` (find_evidence's first choice): text that a part of a reasoning
    line naming the code quotes (or writes before `->`), found in the narrative, holding a content word, not
    denied there ('"chest pain"' from "Denies chest pain"), and not words of another code the reasoning names;
    None when the reasoning gives no such text."""
    return _quoted(narrative, reasoning, code, _stems_of(terms), codeset)


def _quoted(narrative: str, reasoning: str, code: str, wanted: set[str], codeset) -> Evidence | None:
    for phrase, shared in _reasoning_phrases(reasoning, code):
        span = locate(narrative, phrase)
        stems = evidence_stems(phrase)
        if span and stems and (not shared or enough_overlap(stems & wanted)) and not (
                codeset is not None and not stems & wanted and _fits_another_code(stems, reasoning, code, codeset)
        ) and not _quote_denied(narrative, span, wanted):
            return Evidence(code=code, quote=narrative[span[0]:span[1]], span=span)
    return None


def _quote_denied(narrative: str, span: tuple[int, int], wanted: set[str]) -> bool:
    """Whether the narrative denies what a quote at `span` names: a negation cue among the NEGATION_WINDOW words
    (core.text.negated_within)
    before the quote's first word that matches the code's terms (else its first content word), in its sentence
    and with no comma between ("Denies chest pain", "did not report any episodes of hematuria"; not "diabetes
    without complications", nor "with no impact on the pathway and a right adrenal hypodense mass")."""
    words = [m for m in _WORD_RE.finditer(narrative, span[0], span[1]) if evidence_stems(m.group(0))]
    word = next((m for m in words if evidence_stems(m.group(0)) & wanted), words[0] if words else None)
    if word is None:
        return False
    sentence, end = next(((start, end) for start, end in sentence_spans(narrative, keep_labels=True)
                          if start <= span[0] < end), (span[0], span[1]))
    return negated_within(narrative[sentence:end], word.start() - sentence)


def _fits_another_code(stems: set[str], reasoning: str, code: str, codeset) -> bool:
    """Whether a quote's stems share enough words with the terms of another code that `reasoning` names."""
    for other in dict.fromkeys(_CODE_RE.findall(reasoning)):
        if not _same_code(other, code) and enough_overlap(stems & _stems_of(code_terms(codeset, other))):
            return True
    return False


def level_evidence(narrative: str) -> Evidence:
    """The sentence documenting an E/M level: MDM, else total time, else the patient status (empty when none)."""
    statements = level_statements(narrative)
    if not statements:
        return Evidence()
    start, end = statements[0]
    for first, last in sentence_spans(narrative, keep_labels=True):
        if first <= start < last:
            start, end = _trim(narrative, first, max(last, end))
            break
    return Evidence(quote=narrative[start:end], span=(start, end))


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


def _reasoning_phrases(reasoning: str, code: str) -> list[tuple[str, bool]]:
    """(phrase, shared) for quoted text, then text before an arrow, in the parts of the reasoning lines (split
    at ';') that mention `code` (so 'diabetes -> E11.65; office visit -> 99214' gives 99214 'office visit'
    only); `shared`: the part names another code too."""
    phrases: list[tuple[str, bool]] = []
    for line in reasoning.splitlines():
        for part in line.split(";"):
            if not _mentions(part, code):
                continue
            shared = any(not _same_code(other, code) for other in _CODE_RE.findall(part))
            phrases += [(next(g for g in m.groups() if g), shared) for m in _QUOTE_RE.finditer(part)]
            arrow = _ARROW_RE.match(part)
            if arrow:
                phrases.append((arrow.group(1).strip("\"'“”"), shared))
    return phrases


def _same_code(one: str, other: str) -> bool:
    return one.replace(".", "").upper() == other.replace(".", "").upper()


def _phrases(narrative: str) -> list[tuple[int, int]]:
    """Sentence spans and, inside each, its comma-separated clauses (trimmed)."""
    spans = []
    for start, end in sentence_spans(narrative, keep_labels=True):
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


@lru_cache(maxsize=1)
def _weak_stems() -> frozenset[str]:
    return frozenset(tokenize(WEAK_WORDS))


def enough_overlap(shared: set[str]) -> bool:
    """The minimum content overlap of a phrase with a code's terms: two stems, or one that is not weak."""
    return len(shared) >= 2 or bool(shared - _weak_stems())


def _stems_of(terms: list[str]) -> set[str]:
    return set().union(*(evidence_stems(t) for t in terms)) if terms else set()


def best_overlap(narrative: str, terms: list[str]) -> Evidence:
    """The phrase sharing the most content words (core.text.evidence_stems) with the terms, when that is
    enough (`enough_overlap`); ties go to the shorter one."""
    return _best_overlap(narrative, _stems_of(terms))


def _denied(phrase: str, wanted: set[str]) -> bool:
    """Whether the phrase's first word that matches the code's terms is negated ("No cramps" for R25.2)."""
    for match in _WORD_RE.finditer(phrase):
        if evidence_stems(match.group(0)) & wanted:
            return negated_before(phrase, match.start())
    return False


def _best_overlap(narrative: str, wanted: set[str]) -> Evidence:
    best, best_key = None, (0, 0.0)
    for start, end in _phrases(narrative):
        shared = evidence_stems(narrative[start:end]) & wanted
        key = (len(shared), -(end - start))
        if enough_overlap(shared) and key > best_key and not _denied(narrative[start:end], wanted):
            best, best_key = (start, end), key
    if best is None:
        return Evidence()
    return Evidence(quote=narrative[best[0]:best[1]], span=best)


def labelled_pieces(narrative: str, spans) -> list[tuple[str, str | None]]:
    """The narrative cut into (text, label) pieces from (start, end, label) spans given in priority order: a span
    out of range or overlapping one taken before it is left out (each character is shown once); the text
    between spans is unlabelled."""
    taken: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        if 0 <= start < end <= len(narrative) and all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, label))
    pieces, cursor = [], 0
    for start, end, label in sorted(taken):
        if start > cursor:
            pieces.append((narrative[cursor:start], None))
        pieces.append((narrative[start:end], label))
        cursor = end
    if cursor < len(narrative):
        pieces.append((narrative[cursor:], None))
    return pieces


LEFT_OUT = "left out"  # the label suffix of a code shown in the results but not part of the final answer


def evidence_highlights(narrative: str, result: dict) -> list[tuple[str, str | None]]:
    """The narrative cut into (text, label) pieces: the evidence span of each valid item of a coding result
    (CodingResult.to_dict()) labelled by its code ("CODE (left out)" for an item not in the final answer), the
    text between unlabelled. The final answer's codes come first: where spans overlap, an answer code's span
    wins over a left-out code's, then the earlier-starting one; an out-of-range span is left out."""
    valid = [item for item in result.get("items", []) if item.get("span") and item.get("valid")]
    spans = sorted((not item.get("selected", True), *item["span"],
                    item["code"] if item.get("selected", True) else f"{item['code']} ({LEFT_OUT})")
                   for item in valid)
    return labelled_pieces(narrative, [span[1:] for span in spans])
