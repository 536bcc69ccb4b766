"""Compact, evidence-based `<think>` reasoning from a case's evidence and exclusions.

One line per quote: `"quote" -> CODE.`, a CPT/HCPCS code with its short reason (`-> 99214 (established patient,
moderate MDM).`); then what was not coded and why. The lines are ones the decoding style (core.inference.style)
lets the model write: no "(...)" after an ICD-10-CM code, a procedure's reason of at most REASON_WORDS words;
the stage-file checks hold every answer to it (core.datasets.stage_checks). The budget (default 120 words) is met
by first dropping the explanations of later lines, then shortening quotes.
"""

from __future__ import annotations

from core.constants import QUOTE_WORDS, SHORTENED_QUOTE_MARK
from core.datasets.cases import CodedCase, Evidence, Exclusion

MAX_WORDS = 120
SHORT_QUOTE_WORDS = 6
EXCLUSION_LABELS = {
    "negated": "negated",
    "family": "family history",
    "past": "resolved past history",
    "rule_out": "unconfirmed; outpatient rule codes the symptoms",
    "facility": "the hospital bills it, not the ED physician",
}
NOTHING_EXCLUDED = "Nothing negated, historical or unconfirmed to exclude."
NO_CODES = "No billable code is supported by the documentation."


def shorten(quote: str, words: int) -> str:
    parts = quote.split()
    return quote if len(parts) <= words else " ".join(parts[:words]) + SHORTENED_QUOTE_MARK


def _quotable(quote: str) -> str:
    """`quote` without a '"' of its own (the reasoning line's quote marks would end it early): its longest part."""
    return max((part.strip() for part in quote.split('"')), key=len) if '"' in quote else quote


def _grouped(evidence: list[Evidence]) -> list[tuple[str, list[Evidence]]]:
    groups: dict[str, list[Evidence]] = {}
    for item in evidence:
        groups.setdefault(_quotable(item.quote), []).append(item)
    return list(groups.items())


def _evidence_line(quote: str, items: list[Evidence], quote_words: int, explain: bool) -> str:
    codes = []
    for item in items:
        keep_why = item.why and item.system != "icd10cm" and (explain or item.why.startswith("x"))
        codes.append(f"{item.code} ({item.why})" if keep_why else item.code)
    if not quote:
        return "; ".join(codes) + ": no single sentence, inferred from the whole case."
    return f'"{shorten(quote, quote_words)}" -> ' + "; ".join(codes) + "."


def _exclusion_line(exclusions: list[Exclusion] | None, quote_words: int) -> str:
    if exclusions is None:
        return ""
    if not exclusions:
        return NOTHING_EXCLUDED
    parts = [f'"{shorten(_quotable(e.quote), quote_words)}" ({EXCLUSION_LABELS.get(e.reason, e.reason)})' for e in exclusions]
    return "Not coded: " + "; ".join(parts) + "."


def _words(lines: list[str]) -> int:
    return sum(len(line.split()) for line in lines)


def render_reasoning(evidence: list[Evidence], exclusions: list[Exclusion] | None, max_words: int = MAX_WORDS) -> str:
    """Reasoning text for the think block, within `max_words` where the evidence allows."""
    groups = _grouped(evidence)
    explain = [True] * len(groups)
    quote_words = QUOTE_WORDS

    def build() -> list[str]:
        lines = [_evidence_line(q, items, quote_words, explain[i]) for i, (q, items) in enumerate(groups)]
        return [line for line in lines + [_exclusion_line(exclusions, quote_words)] if line]

    lines = build()
    for i in reversed(range(len(groups))):
        if _words(lines) <= max_words:
            break
        explain[i] = False
        lines = build()
    if _words(lines) > max_words:
        quote_words = SHORT_QUOTE_WORDS
        lines = build()
    return "\n".join(lines)


def case_reasoning(case: CodedCase, max_words: int = MAX_WORDS) -> str:
    """The reasoning of a case: its given rationale if any, else rendered from its evidence."""
    if case.rationale:
        return case.rationale.strip()
    text = render_reasoning(case.evidence, case.exclusions, max_words) or NO_CODES
    return "\n".join([text, *(f"Rule: {note}." for note in case.rule_notes)])
